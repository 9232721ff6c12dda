/**
 * Decodes `application/x-www-form-urlencoded` request data the way PHP fills `$_GET`/`$_POST`
 * (parse_str rules), so the sandbox sees exactly what WHMCS's PHP would:
 * - `items[0][description]=x` nests, `a[]=1&a[]=2` appends, `customfields[1]=v` keys by the string;
 * - in the name before the first `[`, spaces and dots become `_`; an unclosed first `[` does too;
 *   text after the last `]` is ignored; a later scalar replaces an earlier array and vice versa;
 * - names nested deeper than max_input_nesting_level are dropped, pairs past max_input_vars too;
 * - bytes that are not valid UTF-8 become MALFORMED_UTF8_MARKER, as WHMCS would store them raw.
 * A PHP array whose keys are 0..n-1 in insertion order becomes a JS array; any other becomes an
 * object keyed by the PHP keys (JS objects list integer-like keys in ascending order).
 */
import { isAscii } from 'node:buffer';
import { MALFORMED_UTF8_MARKER, type SandboxParamValue, type SandboxParams } from './types.js';

export interface PhpInputLimits {
  /** PHP `max_input_vars` (default 1000): pairs past this many are ignored, as PHP does. */
  maxInputVars?: number;
  /** PHP `max_input_nesting_level` (default 64): a deeper name removes the whole variable. */
  maxNestingLevel?: number;
}

export const PHP_DEFAULT_MAX_INPUT_VARS = 1000;
export const PHP_DEFAULT_MAX_NESTING_LEVEL = 64;

/** A PHP array: ordered keys plus the next free integer key that `[]` appends at. */
class PhpArray {
  readonly entries = new Map<string, PhpNode>();
  nextIndex = 0;

  set(key: string, node: PhpNode): void {
    this.entries.set(key, node);
    const index = integerKey(key);
    if (index !== undefined && index >= this.nextIndex) this.nextIndex = index + 1;
  }

  append(node: PhpNode): void {
    this.entries.set(String(this.nextIndex), node);
    this.nextIndex += 1;
  }
}

type PhpNode = string | PhpArray;

const CANONICAL_INTEGER = /^(?:0|-?[1-9][0-9]*)$/;

/** PHP turns canonical decimal strings into integer keys; only those move the `[]` position. */
function integerKey(key: string): number | undefined {
  const first = key.charCodeAt(0);
  if (!((first >= 0x30 && first <= 0x39) || first === 0x2d) || !CANONICAL_INTEGER.test(key)) return undefined;
  const value = Number(key);
  return Number.isSafeInteger(value) ? value : undefined;
}

const NON_ASCII = /[\u0080-\uffff]/;
const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/**
 * Decodes UTF-8, putting MALFORMED_UTF8_MARKER where a byte sequence is invalid (one marker per
 * maximal invalid subpart, as the WHATWG decoder places U+FFFD).
 */
export function decodeUtf8Bytes(bytes: Uint8Array): string {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    return decodeUtf8WithMarkers(bytes);
  }
}

function decodeUtf8WithMarkers(bytes: Uint8Array): string {
  const parts: string[] = [];
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] as number;
    if (lead < 0x80) {
      parts.push(String.fromCharCode(lead));
      i += 1;
      continue;
    }
    let continuation: number;
    let lower = 0x80;
    let upper = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) continuation = 1;
    else if (lead >= 0xe0 && lead <= 0xef) {
      continuation = 2;
      if (lead === 0xe0) lower = 0xa0;
      if (lead === 0xed) upper = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      continuation = 3;
      if (lead === 0xf0) lower = 0x90;
      if (lead === 0xf4) upper = 0x8f;
    } else {
      parts.push(MALFORMED_UTF8_MARKER);
      i += 1;
      continue;
    }
    let codePoint = lead & (0x3f >> continuation);
    let next = i + 1;
    let complete = true;
    for (let k = 0; k < continuation; k += 1) {
      const byte = bytes[next];
      if (byte === undefined || byte < lower || byte > upper) {
        complete = false;
        break;
      }
      lower = 0x80;
      upper = 0xbf;
      codePoint = (codePoint << 6) | (byte & 0x3f);
      next += 1;
    }
    parts.push(complete ? String.fromCodePoint(codePoint) : MALFORMED_UTF8_MARKER);
    i = next;
  }
  return parts.join('');
}

/** PHP urldecode on a byte string (one char per byte): `+` is a space, bad `%` escapes stay as they are. */
function decodeComponent(raw: string, asciiInput: boolean): string {
  const spaced = raw.indexOf('+') === -1 ? raw : raw.replaceAll('+', ' ');
  if (asciiInput && spaced.indexOf('%') === -1) return spaced;
  const bytes = new Uint8Array(spaced.length);
  let length = 0;
  for (let i = 0; i < spaced.length; i += 1) {
    const code = spaced.charCodeAt(i);
    if (code === 0x25 && i + 2 < spaced.length) {
      const high = hexDigit(spaced.charCodeAt(i + 1));
      const low = hexDigit(spaced.charCodeAt(i + 2));
      if (high >= 0 && low >= 0) {
        bytes[length] = high * 16 + low;
        length += 1;
        i += 2;
        continue;
      }
    }
    bytes[length] = code & 0xff;
    length += 1;
  }
  return decodeUtf8Bytes(bytes.subarray(0, length));
}

/** Turns input into a byte string (one char per byte) so raw non-UTF-8 bytes survive until decoding. */
function toByteString(input: string | Uint8Array): { text: string; ascii: boolean } {
  if (typeof input === 'string') {
    if (!NON_ASCII.test(input)) return { text: input, ascii: true };
    return { text: Buffer.from(input, 'utf8').toString('latin1'), ascii: false };
  }
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  return { text: bytes.toString('latin1'), ascii: isAscii(bytes) };
}

/** Where a variable goes: its base name and bracket indices (null for `[]`). */
interface VariablePath {
  base: string;
  indices: (string | null)[];
}

function parseVariableName(name: string): VariablePath | undefined {
  let start = 0;
  while (name.charCodeAt(start) === 0x20) start += 1;
  const bracket = name.indexOf('[', start);
  const rawBase = bracket === -1 ? name.slice(start) : name.slice(start, bracket);
  let base =
    rawBase.indexOf(' ') === -1 && rawBase.indexOf('.') === -1 ? rawBase : rawBase.replace(/[ .]/g, '_');
  if (base === '') return undefined;
  const indices: (string | null)[] = [];
  if (bracket === -1) return { base, indices };
  let open = bracket;
  for (;;) {
    const close = name.indexOf(']', open + 1);
    if (close === -1) {
      // An unclosed first bracket is part of the name; junk after a closed one is ignored.
      if (indices.length === 0) base = `${base}_${name.slice(open + 1).replace(/[ .[]/g, '_')}`;
      break;
    }
    indices.push(close === open + 1 ? null : name.slice(open + 1, close));
    open = close + 1;
    if (name.charCodeAt(open) !== 0x5b) break;
  }
  return { base, indices };
}

function registerVariable(root: PhpArray, path: VariablePath, value: string, maxNestingLevel: number): void {
  if (path.indices.length > maxNestingLevel) {
    // PHP drops the whole top-level variable when one name nests too deep.
    root.entries.delete(path.base);
    return;
  }
  let container = root;
  let key: string | null = path.base;
  for (const index of path.indices) {
    let child: PhpArray;
    const existing = key === null ? undefined : container.entries.get(key);
    if (existing instanceof PhpArray) child = existing;
    else {
      child = new PhpArray();
      if (key === null) container.append(child);
      else container.set(key, child);
    }
    container = child;
    key = index;
  }
  if (key === null) container.append(value);
  else container.set(key, value);
}

function parseInto(root: PhpArray, input: string | Uint8Array, limits: Required<PhpInputLimits>): void {
  const { text, ascii } = toByteString(input);
  let count = 0;
  let position = 0;
  while (position <= text.length) {
    let end = text.indexOf('&', position);
    if (end === -1) end = text.length;
    if (end > position) {
      count += 1;
      if (count > limits.maxInputVars) return;
      const pair = text.slice(position, end);
      const equals = pair.indexOf('=');
      const name = decodeComponent(equals === -1 ? pair : pair.slice(0, equals), ascii);
      const value = equals === -1 ? '' : decodeComponent(pair.slice(equals + 1), ascii);
      if (
        name.indexOf('[') === -1 &&
        name.charCodeAt(0) !== 0x20 &&
        name.indexOf('.') === -1 &&
        name.indexOf(' ') === -1
      ) {
        // The common case, a plain name: no rewriting, no nesting.
        if (name !== '') root.set(name, value);
      } else {
        const path = parseVariableName(name);
        if (path !== undefined) registerVariable(root, path, value, limits.maxNestingLevel);
      }
    }
    position = end + 1;
  }
}

/** PHP builds `$_REQUEST` by merging `$_POST` over `$_GET`: arrays merge key by key, anything else replaces. */
function mergeInto(target: PhpArray, source: PhpArray): void {
  for (const [key, node] of source.entries) {
    const existing = target.entries.get(key);
    if (existing instanceof PhpArray && node instanceof PhpArray) mergeInto(existing, node);
    else target.set(key, node);
  }
}

function toParamValue(node: PhpNode): SandboxParamValue {
  if (typeof node === 'string') return node;
  let expected = 0;
  let isList = true;
  for (const key of node.entries.keys()) {
    if (key !== String(expected)) {
      isList = false;
      break;
    }
    expected += 1;
  }
  if (isList) return Array.from(node.entries.values(), toParamValue);
  return toParamObject(node);
}

function toParamObject(node: PhpArray): { [key: string]: SandboxParamValue } {
  const object: { [key: string]: SandboxParamValue } = {};
  for (const [key, child] of node.entries) {
    // Plain assignment to `__proto__` would replace the prototype; define it as an ordinary key.
    if (key === '__proto__') {
      Object.defineProperty(object, key, {
        value: toParamValue(child),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else object[key] = toParamValue(child);
  }
  return object;
}

function resolveLimits(limits: PhpInputLimits): Required<PhpInputLimits> {
  return {
    maxInputVars: limits.maxInputVars ?? PHP_DEFAULT_MAX_INPUT_VARS,
    maxNestingLevel: limits.maxNestingLevel ?? PHP_DEFAULT_MAX_NESTING_LEVEL,
  };
}

/** Decodes one urlencoded string or body (bytes keep invalid UTF-8 detectable). */
export function decodePhpParams(input: string | Uint8Array, limits: PhpInputLimits = {}): SandboxParams {
  return decodePhpRequest([input], limits);
}

/**
 * Decodes several sources into one parameter set the way `$_REQUEST` is built: later sources
 * (the POST body) override earlier ones (the query string), merging nested arrays.
 */
export function decodePhpRequest(
  sources: readonly (string | Uint8Array)[],
  limits: PhpInputLimits = {},
): SandboxParams {
  const resolved = resolveLimits(limits);
  let root: PhpArray | undefined;
  for (const source of sources) {
    const parsed = new PhpArray();
    parseInto(parsed, source, resolved);
    if (root === undefined) root = parsed;
    else mergeInto(root, parsed);
  }
  return root === undefined ? {} : toParamObject(root);
}
