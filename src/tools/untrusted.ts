/**
 * Customer-written text (ticket messages, notes, names in free text) is data, never instructions.
 * It leaves the server wrapped as untrusted content, with the characters removed that can hide or
 * reorder text in front of a reader: controls, zero-width and direction overrides, Unicode tags.
 */
import type { UntrustedText } from './schemas.js';

// C0/C1 controls except tab and newline, zero-width and bidi controls, line/paragraph separators,
// word joiners, BOM, interlinear annotations, and the invisible "tag" block used to smuggle text.
const HIDDEN_OR_REORDERING =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]|[\u{e0000}-\u{e007f}]/gu;

/** Removes hidden and direction-changing characters; keeps tabs and newlines. */
export function cleanText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(HIDDEN_OR_REORDERING, '');
}

export type TextSource = 'customer' | 'staff' | 'system' | 'unknown';

export function untrusted(text: string | null | undefined, source: TextSource): UntrustedText {
  return { untrusted: true, source, text: cleanText(text ?? '') };
}
