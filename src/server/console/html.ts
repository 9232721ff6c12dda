/**
 * HTML built by a tagged template that escapes every interpolated value unless it is already
 * SafeHtml. Intent reasons, impact lines and drafter labels come from agents and customers, so
 * nothing reaches a page as markup by accident; hidden and direction-changing characters are
 * removed as well, so a reason cannot reorder what the approver reads.
 */
import { cleanText } from '../../tools/untrusted.js';

export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

export type HtmlValue =
  SafeHtml | string | number | bigint | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text safe inside element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return cleanText(text).replace(/[&<>"']/g, (character) => ESCAPES[character]!);
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** Template markup without its source indentation, computed once per template. */
const compacted = new WeakMap<TemplateStringsArray, readonly string[]>();

function markup(strings: TemplateStringsArray): readonly string[] {
  let parts = compacted.get(strings);
  if (!parts) {
    // Only the trusted markup is touched: interpolated text keeps its own spacing.
    parts = strings.map((part) => part.replace(/\n[ \t]+/g, '\n'));
    compacted.set(strings, parts);
  }
  return parts;
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  const parts = markup(strings);
  let out = parts[0] ?? '';
  for (let index = 0; index < values.length; index += 1) {
    out += render(values[index]!) + (parts[index + 1] ?? '');
  }
  return new SafeHtml(out);
}

/** Joins fragments (already escaped) without a separator. */
export function join(parts: readonly HtmlValue[]): SafeHtml {
  return new SafeHtml(parts.map(render).join(''));
}
