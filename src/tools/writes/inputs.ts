/**
 * Input pieces every write tool shares, so a reason, an amount, a date or an intent id means the
 * same thing (and has the same bounds) on every write tool.
 */
import { z } from 'zod';
import { formatCents, isExactMoneyInput, parseCents } from '../../money.js';
import { boundedText } from '../schemas.js';

/** Intent ids are `wi_` and 22 base64url characters (128 random bits); anything else is refused early. */
export const intentId = z
  .string()
  .max(64)
  .regex(/^wi_[A-Za-z0-9_-]{16,60}$/, 'an intent id such as wi_3kP0...')
  .describe('The write intent id (wi_...), as returned when it was drafted.');

export const MAX_REASON = 500;

export const reasonInput = boundedText(
  'Why this change is made, in a sentence a reviewer can judge (kept with the intent and its audit).',
  MAX_REASON,
);

export const idempotencyKeyInput = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only')
  .optional()
  .describe(
    'Optional key that makes a retry safe: the same key with the same parameters returns the existing intent; with different parameters it is a conflict.',
  );

/** The fields every write façade takes besides its own. */
export const writeCommon = {
  reason: reasonInput,
  idempotency_key: idempotencyKeyInput,
};

/**
 * A positive amount as an exact decimal string with at most two places ("10", "10.5", "10.50").
 * It is passed to WHMCS normalized to two places, so "10" and "10.00" are the same parameters.
 */
export function amountInput(description: string) {
  return z
    .string()
    .max(20)
    .refine((value) => /^\d+(\.\d{1,2})?$/.test(value) && isExactMoneyInput(value), {
      message: 'an exact positive amount with at most two decimal places, e.g. "10.00"',
    })
    .refine((value) => (parseCents(value) ?? 0n) > 0n, { message: 'must be greater than zero' })
    .transform((value) => formatCents(parseCents(value)!))
    .describe(description);
}

/** An invoice line may be negative (a discount line); zero is allowed for a free item. */
export const lineAmountInput = z
  .string()
  .max(20)
  .refine((value) => /^-?\d+(\.\d{1,2})?$/.test(value), {
    message: 'an exact amount with at most two decimal places, e.g. "15.95" or "-5.00"',
  })
  .transform((value) => formatCents(parseCents(value)!))
  .describe('Line amount as an exact decimal string ("15.95"; negative for a discount).');

function isRealDay(text: string): boolean {
  const [year, month, day] = text.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** A calendar date, YYYY-MM-DD, that exists. */
export function dayInput(description: string) {
  return z
    .string()
    .max(10)
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
    .refine(isRealDay, { message: 'not a real calendar date' })
    .describe(description);
}

/** A date (YYYY-MM-DD) or a date and time (YYYY-MM-DD HH:MM:SS), as WHMCS takes it. */
export function dateTimeInput(description: string) {
  return z
    .string()
    .max(19)
    .regex(
      /^\d{4}-\d{2}-\d{2}( ([01]\d|2[0-3]):[0-5]\d:[0-5]\d)?$/,
      'a date as YYYY-MM-DD or YYYY-MM-DD HH:MM:SS',
    )
    .refine((value) => isRealDay(value.slice(0, 10)), { message: 'not a real calendar date' })
    .describe(description);
}

/** A payment gateway's system name as WHMCS stores it ("paypal", "stripe", "banktransfer"). */
export const gatewayInput = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_]+$/, 'a gateway system name such as paypal or stripe')
  .describe('Payment gateway system name, as list_payment_methods shows it (e.g. "paypal", "stripe").');

/** A reference written by a payment gateway ("ch_3Nx...", "8HX12345AB"). */
export function gatewayReferenceInput(description: string) {
  return z
    .string()
    .min(1)
    .max(128)
    .regex(/^[\x21-\x7e]+$/, 'printable characters without spaces')
    .describe(description);
}

/** A person's name, an address line, a city: short single-line text. */
export function lineText(description: string, max = 100) {
  return z
    .string()
    .min(1)
    .max(max)
    .refine((value) => !/[\r\n\t]/.test(value) && value.trim().length > 0, {
      message: 'one line of text, not blank',
    })
    .describe(description);
}

/** Ticket messages, notes and descriptions: multi-line text with a bound. */
export function messageText(description: string, max = 20_000) {
  return z
    .string()
    .min(1)
    .max(max)
    .refine((value) => value.trim().length > 0, { message: 'must not be blank' })
    .describe(description);
}

export const emailInput = z.email('a valid e-mail address').max(254);

export const countryInput = z
  .string()
  .length(2)
  .regex(/^[A-Za-z]{2}$/, 'a two-letter ISO country code such as US or DE')
  .transform((value) => value.toUpperCase())
  .describe('Two-letter ISO 3166 country code, e.g. "US".');

export const phoneInput = z
  .string()
  .min(3)
  .max(32)
  .regex(/^[+\d().\s-]+$/, 'digits, spaces and + ( ) . - only')
  .describe('Phone number, e.g. "+1 512 555 0100".');

/**
 * A DNS host name: labels of letters, digits and hyphens (not at either end), at least two labels,
 * 253 characters at most. A trailing dot is accepted and dropped; the name is sent in lower case.
 */
export const hostNameInput = z
  .string()
  .min(3)
  .max(254)
  .transform((value) => value.trim().replace(/\.$/, '').toLowerCase())
  .refine(
    (value) =>
      value.length <= 253 &&
      value.split('.').length >= 2 &&
      value
        .split('.')
        .every((label) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(label) && label.length <= 63) &&
      !/^\d+$/.test(value.split('.').at(-1) ?? ''),
    { message: 'a host name such as ns1.example.com' },
  );
