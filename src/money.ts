/**
 * Exact money arithmetic. WHMCS stores amounts as DECIMAL(16,2) and sends them as strings; we keep
 * them as integer cents (bigint) and never let binary floating point touch an amount.
 */
export type Cents = bigint;

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;

/**
 * Parses a decimal amount ("15.95", "-3", "0.005", 12) into cents. Extra decimals are rounded half
 * away from zero, as PHP's number_format does. Returns undefined for anything that is not a number.
 */
export function parseCents(value: unknown): Cents | undefined {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    // Shortest round-trip representation, so 0.1 stays "0.1" rather than its binary expansion.
    text = String(value);
    if (/e/i.test(text)) return undefined;
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return undefined;
  }
  const match = DECIMAL.exec(text);
  if (!match) return undefined;
  const [, sign, whole = '0', fraction = ''] = match;
  const padded = (fraction + '00').slice(0, 2);
  let cents = BigInt(whole) * 100n + BigInt(padded);
  const rest = fraction.slice(2);
  if (rest.length > 0 && rest.charCodeAt(0) >= 53 /* '5' */) cents += 1n;
  return sign === '-' ? -cents : cents;
}

/** Formats cents as a plain decimal string with two places ("1234.50", "-0.05"). */
export function formatCents(cents: Cents): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const whole = abs / 100n;
  const fraction = (abs % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${whole.toString()}.${fraction}`;
}

/** Normalizes any decimal amount to a two-place string, or undefined when it is not a number. */
export function toMoneyString(value: unknown): string | undefined {
  const cents = parseCents(value);
  return cents === undefined ? undefined : formatCents(cents);
}

/** True when the text is a decimal with at most two places: what callers may submit as an amount. */
export function isExactMoneyInput(value: string): boolean {
  const match = DECIMAL.exec(value.trim());
  return match !== null && (match[3] ?? '').length <= 2;
}

export function sumCents(values: Iterable<Cents>): Cents {
  let total = 0n;
  for (const value of values) total += value;
  return total;
}
