/**
 * Lookup and parameter validation over the generated WHMCS action table. Action names are matched
 * case-insensitively, as WHMCS does; parameter names are not, because PHP reads `$_POST` keys
 * exactly (`moduleType` is not `moduletype`).
 */
import { WhmcsMcpError } from '../errors.js';
import type { ActionDefinition, ActionKind, ActionParam, ActionParamType } from './action-types.js';
import { ACTION_TABLE, CREDENTIAL_PARAMS, NUMBERED_PARAMS } from './generated/action-table.js';

export { ACTION_TABLE };

const ACTIONS_BY_LOWER_NAME: ReadonlyMap<string, ActionDefinition> = new Map(
  ACTION_TABLE.map((action) => [action.name.toLowerCase(), action]),
);

/** Longest name a lookup compares or repeats back; longer input is cut, never echoed whole. */
const MAX_ECHOED_NAME = 80;

/** WHMCS stores free text in MySQL TEXT columns, which hold 65,535 bytes. */
export const MAX_STRING_PARAM_BYTES = 65_535;

/** Fields the WHMCS client sets itself (action, credentials, reply format); a caller may never pass them. */
const RESERVED_PARAM_NAMES: ReadonlySet<string> = new Set([
  'action',
  'identifier',
  'secret',
  'accesskey',
  'username',
  'password',
  'responsetype',
]);

function clip(text: string): string {
  return text.length > MAX_ECHOED_NAME ? `${text.slice(0, MAX_ECHOED_NAME)}...` : text;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * Up to `limit` candidates that look like `input`: same name in another case first, then small
 * edit distances, then names that contain or are contained in the input.
 */
export function closeMatches(input: string, candidates: Iterable<string>, limit = 3): string[] {
  const needle = input.slice(0, MAX_ECHOED_NAME).toLowerCase();
  if (needle.length === 0) return [];
  const threshold = Math.max(2, Math.floor(needle.length / 3));
  const scored: { name: string; score: number }[] = [];
  for (const name of candidates) {
    const lower = name.toLowerCase();
    const distance = editDistance(needle, lower);
    const overlaps =
      Math.min(needle.length, lower.length) >= 4 && (lower.includes(needle) || needle.includes(lower));
    if (distance <= threshold || overlaps) scored.push({ name, score: distance });
  }
  scored.sort((a, b) => a.score - b.score || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return [...new Set(scored.map((entry) => entry.name))].slice(0, limit);
}

/** The action with this name in any letter case, or undefined. */
export function getAction(name: string): ActionDefinition | undefined {
  return ACTIONS_BY_LOWER_NAME.get(name.trim().toLowerCase());
}

/** The action with this name in any letter case; an unknown name is `invalid_input` naming close matches. */
export function requireAction(name: string): ActionDefinition {
  const action = getAction(name);
  if (action) return action;
  const suggestions = closeMatches(
    name.trim(),
    ACTION_TABLE.map((entry) => entry.name),
  );
  const hint = suggestions.length > 0 ? ` Did you mean ${suggestions.join(', ')}?` : '';
  throw new WhmcsMcpError('invalid_input', `'${clip(name)}' is not a WHMCS API action.${hint}`, {
    details: { action: clip(name), suggestions },
  });
}

export interface ActionFilter {
  kind?: ActionKind;
  blocked?: boolean;
}

/** Actions in name order, optionally only those of one kind or blocked state. */
export function listActions(filter: ActionFilter = {}): readonly ActionDefinition[] {
  return ACTION_TABLE.filter(
    (action) =>
      (filter.kind === undefined || action.kind === filter.kind) &&
      (filter.blocked === undefined || action.blocked === filter.blocked),
  );
}

/** True only for a known action that changes nothing; unknown names count as writes. */
export function isReadAction(name: string): boolean {
  return getAction(name)?.kind === 'read';
}

function baseParamName(name: string): string {
  const bracket = name.indexOf('[');
  return bracket === -1 ? name : name.slice(0, bracket);
}

/** Whether a parameter (or a bracket entry under it, `eppcode[0]`) carries a password, card data or EPP code. */
export function isCredentialParam(action: ActionDefinition, paramName: string): boolean {
  return (CREDENTIAL_PARAMS[action.name] ?? []).includes(baseParamName(paramName));
}

/** A copy of the parameters with every credential value replaced, for logs, previews and errors. */
export function redactCredentialParams(
  action: ActionDefinition,
  params: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params)) {
    copy[name] =
      isCredentialParam(action, name) && value !== undefined && value !== null ? '[redacted]' : value;
  }
  return copy;
}

// ---------------------------------------------------------------------------------------------
// Parameter validation
// ---------------------------------------------------------------------------------------------

export type ActionParamProblemKind =
  'unknown' | 'reserved' | 'deprecated' | 'missing' | 'wrong_type' | 'too_long';

export interface ActionParamProblem {
  /** The parameter as the caller named it (a bracket path for nested entries: `lineitems[0][qty]`). */
  param: string;
  problem: ActionParamProblemKind;
  /** For a person: what is wrong and what to send instead. Never repeats the value. */
  message: string;
  /** Documented names close to an unknown one. */
  suggestions?: string[];
}

/** A documented bracket parameter such as `email_preferences[general]` or `lineitems[x][desc]`. */
interface BracketMember {
  /** Segments after the base name; `x` stands for any numeric index. */
  path: readonly string[];
  param: ActionParam;
}

interface ParamShape {
  /** Documented names without brackets, minus numbered placeholders. */
  plain: ReadonlyMap<string, ActionParam>;
  /** `itemdescription` -> the itemdescriptionx definition, for itemdescription1, itemdescription2, ... */
  numbered: ReadonlyMap<string, ActionParam>;
  /** Base name -> documented members below it. */
  bracketed: ReadonlyMap<string, readonly BracketMember[]>;
}

const shapes = new WeakMap<ActionDefinition, ParamShape>();

function parseBracketName(name: string): { base: string; path: string[] } | undefined {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])+)$/.exec(name);
  if (!match?.[1] || !match[2]) return undefined;
  const path = [...match[2].matchAll(/\[([^[\]]*)\]/g)].map((segment) => segment[1] ?? '');
  return { base: match[1], path };
}

function shapeOf(action: ActionDefinition): ParamShape {
  const cached = shapes.get(action);
  if (cached) return cached;
  const numberedNames = new Set(NUMBERED_PARAMS[action.name] ?? []);
  const plain = new Map<string, ActionParam>();
  const numbered = new Map<string, ActionParam>();
  const bracketed = new Map<string, BracketMember[]>();
  for (const param of action.params) {
    const parsed = parseBracketName(param.name);
    if (parsed) {
      const members = bracketed.get(parsed.base) ?? [];
      members.push({ path: parsed.path, param });
      bracketed.set(parsed.base, members);
    } else if (numberedNames.has(param.name)) {
      numbered.set(param.name.slice(0, -1), param);
    } else {
      plain.set(param.name, param);
    }
  }
  const shape: ParamShape = { plain, numbered, bracketed };
  shapes.set(action, shape);
  return shape;
}

function bracketName(base: string, path: readonly string[]): string {
  return base + path.map((segment) => `[${segment}]`).join('');
}

/** Names a caller can actually send, for suggestions: numbered and indexed forms spelled out. */
function callableNames(shape: ParamShape): string[] {
  const names = [...shape.plain.values()].filter((param) => !param.deprecated).map((param) => param.name);
  for (const prefix of shape.numbered.keys()) names.push(`${prefix}1`);
  for (const [base, members] of shape.bracketed) {
    for (const member of members) {
      names.push(
        bracketName(
          base,
          member.path.map((segment) => (segment === 'x' ? '0' : segment)),
        ),
      );
    }
  }
  return names;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null;
}

const INTEGER_TEXT = /^-?\d+$/;
const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;
const DATETIME_TEXT = /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?$/;
const BOOL_TEXT = new Set(['0', '1', 'true', 'false']);

type ScalarType = Exclude<ActionParamType, 'array' | 'string[]' | 'int[]' | 'float[]' | 'bool[]' | 'mixed'>;

const EXPECTED: Record<ActionParamType, string> = {
  string: 'text (a string or a number)',
  int: 'an integer (a whole number or a string of digits)',
  float: 'a decimal number (a number or a string such as "10.50")',
  bool: 'a boolean (true, false, 0, 1, "true" or "false")',
  datetime: 'a date as "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS"',
  array: 'an array, an object, or its encoded string form',
  'string[]': 'a list of text values (or a single one)',
  'int[]': 'a list of integers (or a single one)',
  'float[]': 'a list of decimal numbers (or a single one)',
  'bool[]': 'a list of booleans (or a single one)',
  mixed: 'a value',
};

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return 'text in another form';
    case 'number':
      if (!Number.isFinite(value)) return 'a number that is not finite';
      return Number.isInteger(value) ? 'a number' : 'a number with a fraction';
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}

function scalarMatches(type: ScalarType, value: unknown): boolean {
  switch (type) {
    case 'string':
      return (
        typeof value === 'string' ||
        typeof value === 'bigint' ||
        (typeof value === 'number' && Number.isFinite(value))
      );
    case 'int':
      return (
        typeof value === 'bigint' ||
        (typeof value === 'number' && Number.isSafeInteger(value)) ||
        (typeof value === 'string' && INTEGER_TEXT.test(value))
      );
    case 'float':
      return (
        typeof value === 'bigint' ||
        (typeof value === 'number' && Number.isFinite(value)) ||
        (typeof value === 'string' && DECIMAL_TEXT.test(value))
      );
    case 'bool':
      return (
        typeof value === 'boolean' ||
        value === 0 ||
        value === 1 ||
        (typeof value === 'string' && BOOL_TEXT.has(value))
      );
    case 'datetime':
      return typeof value === 'string' && DATETIME_TEXT.test(value);
  }
}

function elementType(type: ActionParamType): ScalarType | undefined {
  switch (type) {
    case 'string[]':
      return 'string';
    case 'int[]':
      return 'int';
    case 'float[]':
      return 'float';
    case 'bool[]':
      return 'bool';
    default:
      return undefined;
  }
}

function isScalarType(type: ActionParamType): type is ScalarType {
  return type === 'string' || type === 'int' || type === 'float' || type === 'bool' || type === 'datetime';
}

function wrongType(name: string, type: ActionParamType, value: unknown): ActionParamProblem {
  return {
    param: clip(name),
    problem: 'wrong_type',
    message: `'${clip(name)}' must be ${EXPECTED[type]}; got ${describeValue(value)}.`,
  };
}

function tooLong(name: string, value: unknown): ActionParamProblem | undefined {
  if (typeof value !== 'string' || Buffer.byteLength(value, 'utf8') <= MAX_STRING_PARAM_BYTES) {
    return undefined;
  }
  return {
    param: clip(name),
    problem: 'too_long',
    message: `'${clip(name)}' is longer than WHMCS stores (${MAX_STRING_PARAM_BYTES} bytes of UTF-8 text).`,
  };
}

function checkScalar(name: string, type: ScalarType, value: unknown): ActionParamProblem | undefined {
  if (!scalarMatches(type, value)) return wrongType(name, type, value);
  return type === 'string' ? tooLong(name, value) : undefined;
}

/** Checks a value against a documented parameter's type; `name` is how the caller spelled the key. */
function checkValue(name: string, param: ActionParam, value: unknown, problems: ActionParamProblem[]): void {
  const { type } = param;
  if (isScalarType(type)) {
    const problem = checkScalar(name, type, value);
    if (problem) problems.push(problem);
    return;
  }
  const element = elementType(type);
  if (element) {
    // PHP reads both `ids[0]=1` lists and `lineItemId => value` maps into arrays; a single value
    // stands for a one-element list (WHMCS also reads comma-separated text in some of these).
    const items: [string, unknown][] =
      Array.isArray(value) || isPlainObject(value)
        ? Object.entries(value).map(([key, item]) => [`${name}[${key}]`, item])
        : [[name, value]];
    for (const [itemName, item] of items) {
      const problem = checkScalar(itemName, element, item);
      if (problem) {
        // Report the first bad entry only: one line per parameter is enough to act on.
        problems.push(
          itemName === name && problem.problem === 'wrong_type' ? wrongType(name, type, value) : problem,
        );
        return;
      }
    }
    return;
  }
  if (type === 'array') {
    // WHMCS decodes several array parameters from base64 or JSON text, and the docs disagree on which.
    if (!(Array.isArray(value) || isPlainObject(value) || typeof value === 'string')) {
      problems.push(wrongType(name, type, value));
    }
    return;
  }
  // mixed: anything a form field can carry.
  if (typeof value === 'function' || typeof value === 'symbol') problems.push(wrongType(name, type, value));
}

function leafEntries(value: unknown, path: string[]): [string[], unknown][] {
  if (Array.isArray(value) || isPlainObject(value)) {
    return Object.entries(value).flatMap(([key, child]) => leafEntries(child, [...path, key]));
  }
  return [[path, value]];
}

function memberFor(members: readonly BracketMember[], path: readonly string[]): BracketMember | undefined {
  return members.find(
    (member) =>
      member.path.length === path.length &&
      member.path.every((segment, index) => {
        const actual = path[index] ?? '';
        return segment === 'x' ? /^\d+$/.test(actual) : segment === actual;
      }),
  );
}

/** Validates entries below a bracket base, given either flat (`base[0][desc]`) or nested. */
function checkBracketEntries(
  base: string,
  members: readonly BracketMember[],
  entries: [string[], unknown][],
  problems: ActionParamProblem[],
): void {
  for (const [path, value] of entries) {
    if (isAbsent(value)) continue;
    const name = bracketName(base, path);
    const member = memberFor(members, path);
    if (member) {
      checkValue(name, member.param, value, problems);
      continue;
    }
    const indexes = path.filter((segment) => /^\d+$/.test(segment));
    const candidates = members.map((entry) => {
      let next = 0;
      return bracketName(
        base,
        entry.path.map((segment) => (segment === 'x' ? (indexes[next++] ?? '0') : segment)),
      );
    });
    problems.push(unknownProblem(name, closeMatches(name, candidates), 'an entry'));
  }
}

function unknownProblem(name: string, suggestions: string[], what = 'a parameter'): ActionParamProblem {
  const hint = suggestions.length > 0 ? ` Did you mean ${suggestions.join(', ')}?` : '';
  return {
    param: clip(name),
    problem: 'unknown',
    message: `'${clip(name)}' is not ${what} this action documents.${hint}`,
    suggestions,
  };
}

function checkParam(
  action: ActionDefinition,
  shape: ParamShape,
  name: string,
  value: unknown,
  problems: ActionParamProblem[],
): void {
  const documented = shape.plain.get(name);
  if (!documented && RESERVED_PARAM_NAMES.has(name.toLowerCase())) {
    problems.push({
      param: clip(name),
      problem: 'reserved',
      message: `'${clip(name)}' is set by the server itself and cannot be passed to ${action.name}.`,
    });
    return;
  }
  if (documented) {
    if (documented.deprecated) {
      problems.push({
        param: name,
        problem: 'deprecated',
        message: `'${name}' was removed from ${action.name} in current WHMCS versions; leave it out.`,
      });
      return;
    }
    const members = shape.bracketed.get(name);
    if (members && (Array.isArray(value) || isPlainObject(value))) {
      // A documented array with documented members (CreateQuote lineitems): check each entry.
      checkBracketEntries(name, members, leafEntries(value, []), problems);
      return;
    }
    checkValue(name, documented, value, problems);
    return;
  }

  const parsed = parseBracketName(name);
  if (parsed) {
    const members = shape.bracketed.get(parsed.base);
    if (members) {
      checkBracketEntries(parsed.base, members, leafEntries(value, parsed.path), problems);
      return;
    }
    const container = shape.plain.get(parsed.base);
    if (container && !container.deprecated) {
      const element = elementType(container.type);
      if (element) {
        if (parsed.path.length === 1) checkValue(name, { ...container, type: element }, value, problems);
        else problems.push(wrongType(name, container.type, {}));
        return;
      }
      if (container.type === 'array' || container.type === 'mixed') return;
    }
    problems.push(unknownProblem(name, closeMatches(name, callableNames(shape))));
    return;
  }

  for (const [prefix, param] of shape.numbered) {
    if (name.length > prefix.length && name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length))) {
      checkValue(name, param, value, problems);
      return;
    }
  }

  const members = shape.bracketed.get(name);
  if (members) {
    // Undocumented base of documented members (email_preferences): the value must be nested.
    if (Array.isArray(value) || isPlainObject(value)) {
      checkBracketEntries(name, members, leafEntries(value, []), problems);
    } else {
      const entries = members.map((member) => bracketName(name, member.path)).join(', ');
      problems.push({
        param: name,
        problem: 'wrong_type',
        message: `'${name}' must be an object of its entries (${entries}); got ${describeValue(value)}.`,
      });
    }
    return;
  }
  problems.push(unknownProblem(name, closeMatches(name, callableNames(shape))));
}

/**
 * Every problem with a call's parameters, in the order the caller gave them, then the missing
 * required ones. `undefined` and `null` count as not given (the encoder leaves them out).
 */
export function validateActionParams(
  action: ActionDefinition,
  params: Readonly<Record<string, unknown>>,
): ActionParamProblem[] {
  const shape = shapeOf(action);
  const problems: ActionParamProblem[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (isAbsent(value)) continue;
    checkParam(action, shape, name, value, problems);
  }
  for (const param of action.params) {
    if (param.required && !param.deprecated && isAbsent(params[param.name])) {
      problems.push({
        param: param.name,
        problem: 'missing',
        message: `'${param.name}' is required by ${action.name}.`,
      });
    }
  }
  return problems;
}

/** Throws one `invalid_input` error listing every problem (`details.problems`); returns when there are none. */
export function assertActionParams(
  action: ActionDefinition,
  params: Readonly<Record<string, unknown>>,
): void {
  const problems = validateActionParams(action, params);
  if (problems.length === 0) return;
  const summary = problems.map((problem) => problem.message).join(' ');
  const count = problems.length === 1 ? '1 parameter problem' : `${problems.length} parameter problems`;
  throw new WhmcsMcpError('invalid_input', `${action.name}: ${count}. ${summary}`, {
    details: { action: action.name, problems },
  });
}

/** The documented definition behind a key and bracket path, if it is a scalar or list element. */
function resolveParam(shape: ParamShape, base: string, path: readonly string[]): ActionParam | undefined {
  if (path.length === 0) {
    const plain = shape.plain.get(base);
    if (plain) return plain;
    for (const [prefix, param] of shape.numbered) {
      if (base.length > prefix.length && base.startsWith(prefix) && /^\d+$/.test(base.slice(prefix.length))) {
        return param;
      }
    }
    return undefined;
  }
  const member = memberFor(shape.bracketed.get(base) ?? [], path);
  if (member) return member.param;
  const container = shape.plain.get(base);
  const element = container ? elementType(container.type) : undefined;
  return container && element && path.length === 1 ? { ...container, type: element } : undefined;
}

function normalizeBoolValue(shape: ParamShape, base: string, path: string[], value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map((item, index) => normalizeBoolValue(shape, base, [...path, String(index)], item));
  }
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        normalizeBoolValue(shape, base, [...path, key], item),
      ]),
    );
  }
  if (value !== 'true' && value !== 'false') return value;
  // A bool[] parameter given one value is a one-element list, so its text is a bool too.
  const type = resolveParam(shape, base, path)?.type;
  const isBool = type === 'bool' || type === 'bool[]';
  return isBool ? value === 'true' : value;
}

/**
 * A copy in which documented bool parameters given as "true" or "false" (also inside lists and
 * bracket entries) are real booleans. PHP reads the string "false" as true, so that text must never
 * reach WHMCS; the encoder sends booleans as 1 and 0.
 */
export function normalizeBoolParams(
  action: ActionDefinition,
  params: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const shape = shapeOf(action);
  const copy: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params)) {
    const parsed = parseBracketName(name);
    copy[name] = parsed
      ? normalizeBoolValue(shape, parsed.base, parsed.path, value)
      : normalizeBoolValue(shape, name, [], value);
  }
  return copy;
}
