/**
 * Schemas shared by tools, so every list, id, amount and date means the same thing everywhere.
 * Inputs are strict (unknown fields are refused by name); outputs declare every field that may
 * leave the server, which is also what projects secrets out: an undeclared field never leaves.
 */
import { z } from 'zod';

const MAX_ID = 2_147_483_647;

/** A WHMCS row id: a positive integer within MySQL's INT range. */
export function entityId(description: string) {
  return z.number().int().min(1).max(MAX_ID).describe(description);
}

export const MAX_LIMIT = 100;
export const DEFAULT_LIMIT = 25;

/** Paging inputs: limit 1..100 (out of range is an error, never clamped) and an offset. */
export const pagingInput = {
  limit: z
    .number()
    .int()
    .min(1)
    .max(MAX_LIMIT)
    .default(DEFAULT_LIMIT)
    .describe(`Items per page, 1 to ${MAX_LIMIT} (default ${DEFAULT_LIMIT}).`),
  offset: z.number().int().min(0).max(10_000_000).default(0).describe('Items to skip, for the next page.'),
};

/** A bounded free-text search or filter string. */
export function boundedText(description: string, max = 200) {
  return z.string().min(1).max(max).describe(description);
}

/** Money as an exact decimal string with two places ("1234.50"); never a binary float. */
export const money = z.string().regex(/^-?\d+\.\d{2}$/, 'an exact amount with two decimal places');

/** A date (YYYY-MM-DD) or date-time (YYYY-MM-DD HH:MM:SS) as WHMCS gives it, or null when unset. */
export const whmcsDate = z.string().nullable();

/**
 * Text written by customers or other outside parties. It comes back marked so an agent can tell
 * data from instructions; control and direction-changing characters are already removed.
 */
export const untrustedText = z.object({
  untrusted: z.literal(true),
  source: z.string().describe('Who wrote it: customer, staff, system, unknown.'),
  text: z.string(),
});
export type UntrustedText = z.infer<typeof untrustedText>;

export interface ListPage<T> {
  items: T[];
  total: number;
  count: number;
  offset: number;
  limit: number;
  has_more: boolean;
  next_offset: number | null;
  total_is_estimate?: boolean;
}

/** The envelope every list tool returns. `count` is always `items.length`. */
export function listOutput<Item extends z.ZodType>(item: Item) {
  return z.object({
    items: z.array(item),
    total: z.number().int().min(0).describe('Items matching the filters across all pages.'),
    count: z.number().int().min(0).describe('Items in this page.'),
    offset: z.number().int().min(0),
    limit: z.number().int().min(1),
    has_more: z.boolean(),
    next_offset: z.number().int().nullable().describe('Offset of the next page, or null on the last page.'),
    total_is_estimate: z
      .boolean()
      .optional()
      .describe('True when WHMCS could not count exactly and the total is a lower bound.'),
  });
}

/** Builds the envelope for one page of an already filtered list. */
export function pageOf<T>(allItems: readonly T[], offset: number, limit: number): ListPage<T> {
  const items = allItems.slice(offset, offset + limit);
  return envelope(items, allItems.length, offset, limit);
}

/** Builds the envelope from one page and a total that WHMCS counted. */
export function envelope<T>(items: T[], total: number, offset: number, limit: number): ListPage<T> {
  const hasMore = offset + items.length < total;
  return {
    items,
    total,
    count: items.length,
    offset,
    limit,
    has_more: hasMore,
    next_offset: hasMore ? offset + items.length : null,
  };
}
