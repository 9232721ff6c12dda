/**
 * Reply writers for the sandbox: JSON as WHMCS's JsonResponse produces it (refusing text that is
 * not valid UTF-8, like PHP's json_encode) and WHMCS's own XML dialect.
 */

/** What WHMCS answers when json_encode fails on bytes that are not UTF-8 (json_last_error_msg()). */
export const JSON_MALFORMED_UTF8_MESSAGE =
  'Error generating JSON encoded response: Malformed UTF-8 characters, possibly incorrectly encoded';

export const JSON_CONTENT_TYPE = 'application/json';
export const XML_CONTENT_TYPE = 'application/xml; charset=utf-8';

// JSON.stringify writes a lone surrogate as a lowercase `\udXXX` escape; an escaped backslash before
// `u` (`\\ud800`) is literal text, hence the even-backslash guard.
const LONE_SURROGATE_ESCAPE = /(?<!\\)(?:\\\\)*\\ud[89a-f][0-9a-f]{2}/;

/** Whether JSON text produced by JSON.stringify holds a lone surrogate (our model of invalid UTF-8). */
export function jsonHasMalformedUtf8(json: string): boolean {
  return json.indexOf('\\ud') !== -1 && LONE_SURROGATE_ESCAPE.test(json);
}

const MALFORMED_UTF8_REPLY = JSON.stringify({ result: 'error', message: JSON_MALFORMED_UTF8_MESSAGE });

/**
 * Encodes a complete reply (with `result`) as JSON. Like PHP's json_encode, it refuses the whole
 * reply when any string is not valid UTF-8, and WHMCS then sends its encoder error instead.
 */
export function writeJsonReply(reply: unknown): { json: string; malformedUtf8: boolean } {
  const json = JSON.stringify(reply) ?? 'null';
  if (jsonHasMalformedUtf8(json)) return { json: MALFORMED_UTF8_REPLY, malformedUtf8: true };
  return { json, malformedUtf8: false };
}

/** The JSON WHMCS sends when its encoder fails; also used by the malformed-UTF-8 fault. */
export function malformedUtf8JsonReply(): string {
  return MALFORMED_UTF8_REPLY;
}

// PHP's is_numeric on an array key: WHMCS repeats the parent's name for numeric keys.
const PHP_NUMERIC = /^[ \t\n\r\v\f]*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[ \t\n\r\v\f]*$/;
// htmlspecialchars (PHP 8.1+ defaults, ENT_QUOTES) changes these; WHMCS then wraps the value in CDATA.
const XML_SPECIAL = /[&<>"']/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

type Container = readonly unknown[] | { readonly [key: string]: unknown };

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null;
}

function containerEntries(value: Container): [string, unknown][] {
  return Array.isArray(value) ? value.map((item, index) => [String(index), item]) : Object.entries(value);
}

function isEmptyContainer(value: Container): boolean {
  if (Array.isArray(value)) return value.length === 0;
  for (const key in value) if (Object.hasOwn(value, key)) return false;
  return true;
}

/** PHP's string conversion of a scalar as WHMCS prints it. */
function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? '1' : '';
  if (value === null || value === undefined) return '';
  return String(value);
}

// One lone surrogate (our model of bytes that are not UTF-8), without the global flag so test() has no state.
const HAS_LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function xmlText(value: unknown): string {
  const text = scalarText(value);
  // htmlspecialchars (ENT_SUBSTITUTE) also changes invalid UTF-8, so WHMCS wraps such values too.
  if (!XML_SPECIAL.test(text) && !HAS_LONE_SURROGATE.test(text)) return text;
  // WHMCS wraps such values in CDATA as they are; splitting `]]>` keeps the document well-formed.
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/**
 * WHMCS's XML layout (XmlResponse::convertToXml), restated: a list item takes its parent's name, so
 * `{"invoices":{"invoice":[a,b]}}` becomes `<invoices><invoice>a</invoice><invoice>b</invoice></invoices>`.
 * `inWrapper` is true while directly inside an element that was just opened for a named container;
 * the next named container inside it is then written without its own tag (WHMCS flattens an
 * object nested directly in an object, a quirk clients of real WHMCS see too). Empty containers
 * are left out.
 */
function writeXmlEntries(parts: string[], value: Container, parentName: string, inWrapper: boolean): void {
  for (const [key, child] of containerEntries(value)) {
    if (child === undefined) continue;
    const numericKey = PHP_NUMERIC.test(key);
    if (!isContainer(child)) {
      const name = numericKey ? parentName : key;
      parts.push(`<${name}>${xmlText(child)}</${name}>\n`);
      continue;
    }
    if (isEmptyContainer(child)) continue;
    if (parentName !== '' && numericKey) {
      if (inWrapper) writeXmlEntries(parts, child, parentName, false);
      else {
        parts.push(`<${parentName}>\n`);
        writeXmlEntries(parts, child, parentName, true);
        parts.push(`</${parentName}>\n`);
      }
    } else if (parentName === '') {
      parts.push(`<${key}>\n`);
      writeXmlEntries(parts, child, key, true);
      parts.push(`</${key}>\n`);
    } else if (inWrapper) {
      writeXmlEntries(parts, child, key, false);
    } else {
      parts.push(`<${parentName}>\n`);
      writeXmlEntries(parts, child, key, false);
      parts.push(`</${parentName}>\n`);
    }
  }
}

/**
 * Encodes a complete reply (with `result`) in WHMCS's XML form. `action` is the action as WHMCS
 * echoes it (lower case). Error replies carry an empty version, as WHMCS sends them. Text that is
 * not valid UTF-8 (lone surrogates here) is written as U+FFFD, so XML succeeds where JSON refuses.
 */
export function writeXmlReply(reply: unknown, action: string, whmcsVersion: string): string {
  const isError =
    isContainer(reply) && !Array.isArray(reply) && (reply as { result?: unknown }).result === 'error';
  const parts: string[] = [];
  // WHMCS merges the action in front of the reply data (a reply's own `action` would win in place).
  if (isContainer(reply) && !Array.isArray(reply)) writeXmlEntries(parts, { action, ...reply }, '', false);
  else {
    writeXmlEntries(parts, { action }, '', false);
    if (isContainer(reply)) writeXmlEntries(parts, reply, '', false);
  }
  const body = parts.join('').trim().replace(LONE_SURROGATE, '\uFFFD');
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<whmcsapi version="${isError ? '' : whmcsVersion}">`,
    body,
    '</whmcsapi>',
  ].join('\n');
}
