/**
 * Prompt arguments arrive as strings from the host. Each prompt checks its own in `render` and
 * refuses a malformed one with a message that says what to send instead.
 */
import type { PromptArgument } from './define.js';

/**
 * A bad prompt argument. `code` is JSON-RPC's "invalid params" (-32602), so a transport that
 * passes a thrown error's numeric code through reports it as the caller's mistake.
 */
export class PromptArgumentError extends Error {
  readonly code = -32602;

  constructor(message: string) {
    super(message);
    this.name = 'PromptArgumentError';
  }
}

const MAX_ID = 2_147_483_647;

/** Refuses argument names the prompt does not declare, so a typo is not silently ignored. */
export function assertKnownArguments(
  promptName: string,
  declared: readonly PromptArgument[],
  args: Readonly<Record<string, string>>,
): void {
  const known = new Set(declared.map((argument) => argument.name));
  const unknown = Object.keys(args).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    const names = unknown.map((name) => `'${name.slice(0, 40)}'`).join(', ');
    const expected = declared.map((argument) => argument.name).join(', ') || 'none';
    throw new PromptArgumentError(`Prompt '${promptName}' has no argument ${names}; it takes: ${expected}.`);
  }
}

function present(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function required(name: string, value: string | undefined): string {
  const text = present(value);
  if (text === undefined) throw new PromptArgumentError(`Argument '${name}' is required.`);
  return text;
}

/** A WHMCS id: a positive whole number. */
export function readId(name: string, value: string | undefined): number {
  const text = required(name, value);
  const id = /^[1-9]\d{0,9}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(id) || id > MAX_ID) {
    throw new PromptArgumentError(`Argument '${name}' must be a positive whole number (an id), e.g. 42.`);
  }
  return id;
}

export function readOptionalId(name: string, value: string | undefined): number | undefined {
  return present(value) === undefined ? undefined : readId(name, value);
}

/** A whole number (days, a count) in [min, max], or the default when absent. */
export function readWholeNumber(
  name: string,
  value: string | undefined,
  range: { min: number; max: number; fallback: number },
): number {
  const text = present(value);
  if (text === undefined) return range.fallback;
  const number = /^\d{1,4}$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(number) || number < range.min || number > range.max) {
    throw new PromptArgumentError(
      `Argument '${name}' must be a whole number from ${range.min} to ${range.max}; leave it out for ${range.fallback}.`,
    );
  }
  return number;
}

export interface Month {
  /** YYYY-MM */
  month: string;
  firstDay: string;
  lastDay: string;
}

/** A calendar month written YYYY-MM, with its first and last day. */
export function readMonth(name: string, value: string | undefined): Month {
  const text = required(name, value);
  const match = /^(\d{4})-(\d{2})$/.exec(text);
  const year = Number(match?.[1]);
  const month = Number(match?.[2]);
  if (!match || year < 2000 || year > 2100 || month < 1 || month > 12) {
    throw new PromptArgumentError(`Argument '${name}' must be a month written YYYY-MM, e.g. 2025-05.`);
  }
  const lastDate = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const prefix = `${match[1]}-${match[2]}`;
  return {
    month: prefix,
    firstDay: `${prefix}-01`,
    lastDay: `${prefix}-${String(lastDate).padStart(2, '0')}`,
  };
}

/** An ISO 4217 currency code such as USD, upper-cased. */
export function readOptionalCurrency(name: string, value: string | undefined): string | undefined {
  const text = present(value);
  if (text === undefined) return undefined;
  if (!/^[A-Za-z]{3}$/.test(text)) {
    throw new PromptArgumentError(`Argument '${name}' must be a three-letter currency code, e.g. USD.`);
  }
  return text.toUpperCase();
}
