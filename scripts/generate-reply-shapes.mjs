#!/usr/bin/env node
// Generates src/whmcs/generated/reply-shapes.ts: for every WHMCS action, the shape its success reply
// has once normalized (which keys are lists, and which fields are ints, money, decimals, flags, dates).
//   node scripts/generate-reply-shapes.mjs           write the file
//   node scripts/generate-reply-shapes.mjs --check   exit 1 when the committed file is stale
//   --catalog <path>                                 read another catalog (tests use it for drift)
//
// Inputs, both from data/whmcs-catalog.json: each action's documented response fields (name and
// type; the documentation describes the top level only) and its official example reply, which shows
// nesting and the form values take. Several examples are written in WHMCS's flattened notation
// (`"domains[domain][0][id]":"1"`); they are read as the nested JSON they stand for.
//
// The rules are deliberately conservative: a field the rules cannot place is left exactly as WHMCS
// sent it. A wrong conversion (a postcode turned into a number) does harm; a missed one does not.
//
// Lists
// - Wrapper: an object holding one key whose value is an array (`{"clients":{"client":[...]}}`),
//   or an object whose single key is the singular of its parent's name. The normalizer collapses it
//   to the outer key holding the array. Found at any depth; items of every occurrence are merged.
// - Plain list: an array in the example (`"users":[...]`, `"customfields":[...]`).
// - A documented `array` field that the example shows as "" or null (GetInvoice `transactions`) is
//   a list; one the example leaves out is a list when its description reads like one ("entries",
//   "an array of", "list", "collection"). Its wrapper is taken to be the singular of its name
//   (`transactions.transaction`), and the normalizer accepts the plain-array form as well.
// Keyed objects (maps)
// - An object whose keys are data rather than field names: billing-cycle years ("1"), currency codes
//   ("USD"), dates ("2018-11-30"); or two or more entries that are records with the same keys (TLDs
//   in GetTLDPricing, ticket statuses in GetTicketCounts). Every entry gets the same treatment.
// Field kinds
// - int: a documented `int` whose example is absent, empty or an integer; or an identifier or count
//   whose example is an integer or integer string. Identifiers: `id`, `...id`, `..._id`, `...Id`,
//   except opaque references that merely end in "id" (OPAQUE_REFERENCES). Counts: count, qty,
//   quantity, totalresults, startnumber, numreturned, `num...`, `productsnum...`, `..._count`,
//   `...Count`, replycount. A digit string with a leading zero is never an integer.
// - money: a documented `float` whose example is a decimal with two places, or any nested value in
//   that form ("15.95", "-1.00"). Normalized to exactly two places.
// - decimal: a documented `float` otherwise (absent example, other precision), and rates and
//   percentages (`rate`, `taxrate`, `discountpercent`) in any decimal form: precision is kept.
// - bool: a documented `bool`, or an example value true/false, "true"/"false", or "on" (WHMCS
//   checkboxes send "on" or "").
// - date: an example value in the form YYYY-MM-DD or YYYY-MM-DD HH:MM:SS (including 0000-00-00).
// - A documented type wins only when the example agrees with it: GetStats documents its income as
//   float but sends "$5.95 USD", so those stay text. A documented `string` can only become a date
//   or a flag, never a number (ticket masks like `tid` "516757" stay text).
// - Values of one field that disagree (an integer in one record and a name in another) leave the
//   field unclassified. Empty strings and nulls are no evidence either way.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

const CATALOG_PATH = fileURLToPath(new URL('../data/whmcs-catalog.json', import.meta.url));
const OUTPUT_PATH = fileURLToPath(new URL('../src/whmcs/generated/reply-shapes.ts', import.meta.url));
const OUTPUT_NAME = 'src/whmcs/generated/reply-shapes.ts';

/** Fields whose names end in "id" but hold references WHMCS or a gateway issues as text. */
const OPAQUE_REFERENCES = new Set([
  'tid', // ticket mask shown to customers ("516757", or a custom format with letters)
  'transid', // payment gateway transaction reference
  'subscriptionid', // gateway subscription reference
  'tax_id', // client VAT / tax number
  'uuid',
  'c', // ticket access key
]);

/** Documented response fields the documentation gets wrong; each one is checked against the example. */
const DOCUMENTATION_ERRATA = {
  // Copied from GetInvoices: the reply lists projects under `projects`, as its example shows.
  GetProjects: ['invoices'],
};

const ID_NAME = /(?:^|[A-Za-z_])(?:id|Id|ID)$/;
const NOT_ID_WORDS = /(?:paid|valid|void|uuid)$/i;
const COUNT_NAME =
  /^(?:count|qty|quantity|totalresults|startnumber|numreturned|replycount)$|^num(?!ber)[A-Za-z_]|^productsnum|_count$|[a-z]Count$/;
const RATE_NAME = /rate|percent/i;
const LIST_DESCRIPTION = /\b(?:entries|an array of|list|collection)\b/i;

const INTEGER_FORM = /^-?(?:0|[1-9]\d*)$/;
const MONEY_FORM = /^-?\d+\.\d{2}$/;
const DECIMAL_FORM = /^-?\d+\.\d+$/;
const DATE_FORM = /^\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}:\d{2})?$/;
const DATA_KEY = /^(?:\d+|[A-Z]{3}|\d{4}-\d{2}-\d{2})$/;

const BRACKET_KEY = /^([^[\]]+)((?:\[[^[\]]*\])+)$/;
const UNSAFE_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads WHMCS's flattened notation (`"tasks[task][0][id]":"1"`) as the nested JSON it stands for.
 * src/whmcs/normalize.ts does the same at run time; the two must agree.
 */
export function unflattenBracketKeys(reply) {
  if (!isPlainObject(reply)) return reply;
  const out = {};
  const bracketed = [];
  for (const [key, value] of Object.entries(reply)) {
    const match = BRACKET_KEY.exec(key.trim());
    if (match)
      bracketed.push([key, [match[1], ...[...match[2].matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1])], value]);
    else out[key] = value;
  }
  const built = new Set();
  for (const [key, segments, value] of bracketed) {
    if (segments.some((segment) => UNSAFE_SEGMENTS.has(segment)) || !place(out, segments, value, built)) {
      out[key] = value;
    }
  }
  return arraysFromIndexes(out, built);
}

function place(root, segments, value, built) {
  let node = root;
  for (let index = 0; index < segments.length - 1; index += 1) {
    const segment = segments[index];
    if (!Object.hasOwn(node, segment)) {
      const child = {};
      built.add(child);
      node[segment] = child;
    }
    node = node[segment];
    if (!built.has(node)) return false;
  }
  const last = segments[segments.length - 1];
  if (Object.hasOwn(node, last)) return false;
  node[last] = value;
  return true;
}

function arraysFromIndexes(node, built) {
  for (const key of Object.keys(node)) {
    const child = node[key];
    if (!built.has(child)) continue;
    arraysFromIndexes(child, built);
    const keys = Object.keys(child);
    if (keys.length > 0 && keys.every((k, index) => k === String(index)))
      node[key] = keys.map((k) => child[k]);
  }
  return node;
}

function isIdName(name) {
  return ID_NAME.test(name) && !NOT_ID_WORDS.test(name) && !OPAQUE_REFERENCES.has(name);
}

function isCountName(name) {
  return COUNT_NAME.test(name);
}

function singularOf(name) {
  if (/ies$/.test(name)) return name.slice(0, -3) + 'y';
  if (/(?:ss|x|ch|sh|us)es$/.test(name)) return name.slice(0, -2);
  if (/s$/.test(name) && !/ss$/.test(name)) return name.slice(0, -1);
  return name;
}

/** The inner key when `value` is a list wrapper for a field called `name`. */
function wrapperKeyOf(name, value) {
  if (!isPlainObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const inner = keys[0];
  if (Array.isArray(value[inner])) return inner;
  if (isPlainObject(value[inner]) && inner !== name && singularOf(name) === inner) return inner;
  return undefined;
}

/** What one example value says about its field: a kind, 'integer' (an integer but not an id or count), 'none', or 'other'. */
function evidenceOf(name, value) {
  if (value === null || value === undefined || value === '') return 'none';
  if (typeof value === 'boolean') return 'bool';
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value;
  if (typeof text !== 'string') return 'other';
  if (typeof value === 'string' && (value === 'true' || value === 'false' || value === 'on')) return 'bool';
  if (typeof value === 'string' && DATE_FORM.test(value)) return 'date';
  if (INTEGER_FORM.test(text)) return isIdName(name) || isCountName(name) ? 'int' : 'integer';
  if (MONEY_FORM.test(text)) return RATE_NAME.test(name) ? 'decimal' : 'money';
  if (DECIMAL_FORM.test(text) && RATE_NAME.test(name)) return 'decimal';
  return 'other';
}

const BOOL_FORMS = new Set([true, false, 1, 0, '1', '0', 'true', 'false', 'on', '']);

/** The kind of a scalar field from its example values and, at the top level, its documented type. */
function scalarKind(name, values, documentedType) {
  const evidence = new Set(values.map((value) => evidenceOf(name, value)));
  evidence.delete('none');
  const only = (...allowed) => [...evidence].every((kind) => allowed.includes(kind));
  switch (documentedType) {
    case 'int':
      return only('int', 'integer') ? 'int' : undefined;
    case 'float':
      if (!only('money', 'decimal', 'integer')) return undefined;
      return evidence.has('money') && !evidence.has('decimal') && !RATE_NAME.test(name) ? 'money' : 'decimal';
    case 'bool':
      return values.every((value) => value === null || value === undefined || BOOL_FORMS.has(value))
        ? 'bool'
        : undefined;
    case 'string':
      return evidence.size === 1 && (evidence.has('date') || evidence.has('bool'))
        ? [...evidence][0]
        : undefined;
    default:
      break;
  }
  if (evidence.has('other')) return undefined;
  // An amount of zero may be written as a bare integer; it does not make the field a count.
  if (evidence.has('money') || evidence.has('decimal')) evidence.delete('integer');
  if (evidence.has('money') && evidence.has('decimal')) evidence.delete('money');
  evidence.delete('integer');
  return evidence.size === 1 ? [...evidence][0] : undefined;
}

function isMapLike(objects) {
  const keys = [...new Set(objects.flatMap((object) => Object.keys(object)))];
  if (keys.length === 0) return false;
  if (keys.every((key) => DATA_KEY.test(key))) return true;
  // Entries that are records with identical keys (TLDs, ticket statuses): the keys are data.
  if (keys.length < 2) return false;
  const entries = objects.flatMap((object) => Object.values(object));
  if (!entries.every((entry) => isPlainObject(entry) && Object.keys(entry).length > 0)) return false;
  const signature = (entry) => Object.keys(entry).sort().join('\u0000');
  const first = signature(entries[0]);
  if (!entries.every((entry) => signature(entry) === first)) return false;
  return !Object.keys(entries[0]).every((key) => DATA_KEY.test(key));
}

function isBlank(value) {
  return value === null || value === undefined || value === '';
}

/** Classifies one key from every value it has in the examples: a field kind, list, object or map. */
function classifyKey(name, values, documented) {
  const present = values.filter((value) => value !== undefined);
  const arrays = present.filter(Array.isArray);
  const objects = present.filter(isPlainObject);
  const scalars = present.filter((value) => !Array.isArray(value) && !isPlainObject(value));

  if (arrays.length > 0 || objects.length > 0) {
    // Structure beside real text ("" and null are only empty forms) is too odd to touch.
    if (!scalars.every(isBlank)) return undefined;
    const wrappers = objects.map((object) => wrapperKeyOf(name, object));
    if (objects.length > 0 && wrappers.every((key) => key !== undefined)) {
      const inner = [...new Set(wrappers)];
      if (inner.length !== 1) return undefined;
      if (arrays.some((array) => array.length > 0)) return undefined;
      const items = objects.flatMap((object) => {
        const value = object[inner[0]];
        return Array.isArray(value) ? value : [value];
      });
      return { list: listShape(inner[0], items) };
    }
    if (objects.length === 0) return { list: listShape(null, arrays.flat()) };
    // PHP writes an empty associative array as []; only an empty one is compatible with an object.
    if (arrays.some((array) => array.length > 0)) return undefined;
    if (isMapLike(objects)) return mapNode(name, objects);
    const shape = recordShape(objects);
    return shape ? { object: shape } : undefined;
  }

  const type = documented?.type;
  if (type === 'array' && scalars.every(isBlank)) {
    // "" or null in the example is WHMCS's empty list; a field the example omits needs the words.
    if (scalars.length === 0 && !LIST_DESCRIPTION.test(documented.description)) return undefined;
    return { list: listShape(singularOf(name), []) };
  }
  const kind = scalarKind(name, scalars, type);
  return kind ? { field: kind } : undefined;
}

function listShape(wrapper, items) {
  const records = items.filter(isPlainObject);
  const item = records.length > 0 ? recordShape(records) : undefined;
  return item ? { wrapper, item } : { wrapper };
}

function mapNode(name, objects) {
  const entries = objects.flatMap((object) => Object.values(object));
  const records = entries.filter(isPlainObject);
  if (records.length > 0) {
    if (records.length !== entries.filter((entry) => !isBlank(entry)).length) return undefined;
    const entry = recordShape(records);
    return entry ? { map: { entry } } : undefined;
  }
  if (entries.some(Array.isArray)) return undefined;
  // Map keys are data, so the field-name rules do not apply; the parent's name tells rates apart.
  const kind = scalarKind(RATE_NAME.test(name) ? 'rate' : '', entries, undefined);
  return kind && kind !== 'int' ? { map: { value: kind } } : undefined;
}

/**
 * The shape of a set of records (the reply itself, or every item of one list). `documented` maps a
 * top-level field name to its documented type and description.
 */
function recordShape(records, documented = new Map()) {
  const names = new Set(records.flatMap((record) => Object.keys(record)));
  for (const name of documented.keys()) names.add(name);
  const shape = { fields: {}, lists: {}, objects: {}, maps: {} };
  for (const name of [...names].sort(compareNames)) {
    const values = records.map((record) => (Object.hasOwn(record, name) ? record[name] : undefined));
    const node = classifyKey(name, values, documented.get(name));
    if (!node) continue;
    if (node.field) shape.fields[name] = node.field;
    else if (node.list) shape.lists[name] = node.list;
    else if (node.object) shape.objects[name] = node.object;
    else if (node.map) shape.maps[name] = node.map;
  }
  for (const key of Object.keys(shape)) if (Object.keys(shape[key]).length === 0) delete shape[key];
  return Object.keys(shape).length > 0 ? shape : undefined;
}

function compareNames(left, right) {
  return left < right ? -1 : left > right ? 1 : 0;
}

function documentedFields(actionName, entry) {
  const errata = new Set(DOCUMENTATION_ERRATA[actionName] ?? []);
  const documented = new Map();
  for (const field of entry.response ?? []) {
    if (errata.has(field.name) || documented.has(field.name) || field.name === 'result') continue;
    const type = field.type.endsWith('[]') ? 'array' : field.type;
    documented.set(field.name, { type, description: field.description ?? '' });
  }
  return documented;
}

/** The reply shape of every action in the catalog, keyed by action name (sorted). */
export function buildReplyShapes(catalog) {
  const shapes = {};
  for (const name of Object.keys(catalog.actions).sort(compareNames)) {
    const entry = catalog.actions[name];
    const example = unflattenBracketKeys(entry.exampleResponse);
    const records = isPlainObject(example) ? [example] : [];
    shapes[name] = recordShape(records, documentedFields(name, entry)) ?? {};
  }
  return shapes;
}

/** Counts the list wrappers (`{"x":{"y":[...]}}`) the shapes declare, at every depth. */
export function countWrappers(shapes) {
  let count = 0;
  const visit = (shape) => {
    if (!shape) return;
    for (const list of Object.values(shape.lists ?? {})) {
      if (list.wrapper !== null) count += 1;
      visit(list.item);
    }
    for (const child of Object.values(shape.objects ?? {})) visit(child);
    for (const map of Object.values(shape.maps ?? {})) visit(map.entry);
  };
  for (const shape of Object.values(shapes)) visit(shape);
  return count;
}

/** Returns the full text of src/whmcs/generated/reply-shapes.ts for a parsed catalog. */
export async function renderReplyShapes(catalog) {
  const shapes = buildReplyShapes(catalog);
  const source = [
    '// Generated by scripts/generate-reply-shapes.mjs from data/whmcs-catalog.json: do not edit by hand.',
    '// Regenerate with `node scripts/generate-reply-shapes.mjs` (verify with `--check`); the rules that',
    '// classify lists and fields are explained at the top of that script.',
    "import type { ReplyShape } from '../normalize.js';",
    '',
    `/** Normalized reply shapes of all ${Object.keys(shapes).length} WHMCS actions (${countWrappers(shapes)} list wrappers), by action name. */`,
    `export const REPLY_SHAPES: Readonly<Record<string, ReplyShape>> = ${JSON.stringify(shapes)};`,
    '',
  ].join('\n');
  const config = (await prettier.resolveConfig(OUTPUT_PATH)) ?? {};
  return prettier.format(source, { ...config, parser: 'typescript', filepath: OUTPUT_PATH });
}

export function readCatalog(path = CATALOG_PATH) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function firstDifferentLine(expected, actual) {
  const want = expected.split('\n');
  const have = actual.split('\n');
  for (let index = 0; index < Math.max(want.length, have.length); index += 1) {
    if (want[index] !== have[index]) return index + 1;
  }
  return -1;
}

function optionValue(argv, option) {
  const index = argv.indexOf(option);
  return index >= 0 ? argv[index + 1] : undefined;
}

async function main(argv) {
  const check = argv.includes('--check');
  const catalogPath = optionValue(argv, '--catalog');
  const text = await renderReplyShapes(readCatalog(catalogPath ? resolve(catalogPath) : CATALOG_PATH));
  if (!check) {
    writeFileSync(OUTPUT_PATH, text);
    console.error(`wrote ${OUTPUT_NAME}`);
    return 0;
  }
  let committed = '';
  try {
    committed = readFileSync(OUTPUT_PATH, 'utf8');
  } catch {
    console.error(`${OUTPUT_NAME} is missing; run: node scripts/generate-reply-shapes.mjs`);
    return 1;
  }
  if (committed !== text) {
    console.error(
      `${OUTPUT_NAME} differs from what data/whmcs-catalog.json produces (first difference at line ` +
        `${firstDifferentLine(text, committed)}); run: node scripts/generate-reply-shapes.mjs`,
    );
    return 1;
  }
  console.error(`${OUTPUT_NAME} is up to date`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(2);
    },
  );
}
