/**
 * Finds payment card numbers in free text and masks them, keeping at most the last four digits.
 * Used on log lines and on text the server returns (ticket bodies, notes), where a customer may
 * have pasted a card number.
 */

/** A run of digits where single spaces or dashes may separate groups: "4111 1111-1111 1111". */
const DIGIT_RUN = /\d+(?:[ -]\d+)*/g;

const MIN_CARD_DIGITS = 13;
const MAX_CARD_DIGITS = 19;
const MASK = '*';

/** The Luhn checksum every issued card number satisfies. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let index = digits.length - 1; index >= 0; index -= 1) {
    let digit = digits.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return false;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

interface DigitGroup {
  /** Offset of the group's first digit within the run. */
  start: number;
  digits: string;
}

function groupsOf(run: string): DigitGroup[] {
  const groups: DigitGroup[] = [];
  for (const match of run.matchAll(/\d+/g)) groups.push({ start: match.index, digits: match[0] });
  return groups;
}

/**
 * Offsets (within the run) of the digits to mask. A card is a window of whole groups with 13 to 19
 * digits passing Luhn; every group but the last has at least four digits, as printed card formats
 * do, so dates ("2024-01-15") and short number lists are not taken for cards.
 */
function cardDigitOffsets(run: string): Set<number> {
  const masked = new Set<number>();
  const groups = groupsOf(run);
  for (let first = 0; first < groups.length; first += 1) {
    let digits = '';
    for (let last = first; last < groups.length; last += 1) {
      const group = groups[last];
      if (group === undefined) break;
      const previous = groups[last - 1];
      if (last > first && previous !== undefined && previous.digits.length < 4) break;
      digits += group.digits;
      if (digits.length > MAX_CARD_DIGITS) break;
      if (digits.length < MIN_CARD_DIGITS || !passesLuhn(digits)) continue;
      const offsets = groups
        .slice(first, last + 1)
        .flatMap((part) => Array.from(part.digits, (_, index) => part.start + index));
      for (const offset of offsets.slice(0, -4)) masked.add(offset);
    }
  }
  return masked;
}

/** The text with every card-like number masked: "4111 1111 1111 1111" becomes "**** **** **** 1111". */
export function maskCardNumbers(text: string): string {
  if (!/\d{4}/.test(text)) return text;
  return text.replace(DIGIT_RUN, (run) => {
    if (run.replace(/[ -]/g, '').length < MIN_CARD_DIGITS) return run;
    const masked = cardDigitOffsets(run);
    if (masked.size === 0) return run;
    return Array.from(run, (char, offset) => (masked.has(offset) ? MASK : char)).join('');
  });
}

export function containsCardNumber(text: string): boolean {
  return maskCardNumbers(text) !== text;
}
