/**
 * Input pieces the billing and orders tools share: calendar dates, sort direction, and the invoice
 * list filters (status, due-date range, ordering) that list_invoices and list_client_invoices take.
 */
import { z } from 'zod';
import { isCalendarDay } from '../shared/dates.js';
import { INVOICE_STATUS_FILTERS } from './projections.js';

/** A calendar date input, YYYY-MM-DD. */
export function dayInput(description: string) {
  return z.string().max(10).refine(isCalendarDay, 'expected a date written YYYY-MM-DD').describe(description);
}

export const sortOrderInput = z
  .enum(['asc', 'desc'])
  .default('desc')
  .describe('Sort direction: desc (default, newest or largest first) or asc.');

/** GetInvoices' orderby values, by the names the tools use. */
export const INVOICE_ORDER_FIELDS = {
  id: 'id',
  invoice_number: 'invoicenumber',
  date: 'date',
  due_date: 'duedate',
  total: 'total',
  status: 'status',
} as const;

export const invoiceListFilters = {
  status: z
    .enum(INVOICE_STATUS_FILTERS)
    .optional()
    .describe(
      'Only invoices with this status. Overdue means Unpaid with a due date before today (UTC); Overdue invoices also count as Unpaid.',
    ),
  due_from: dayInput('Only invoices due on or after this date (YYYY-MM-DD).').optional(),
  due_to: dayInput('Only invoices due on or before this date (YYYY-MM-DD).').optional(),
  order_by: z
    .enum(Object.keys(INVOICE_ORDER_FIELDS) as [keyof typeof INVOICE_ORDER_FIELDS])
    .default('id')
    .describe('Sort field: id (default), invoice_number, date, due_date, total or status.'),
  order: sortOrderInput,
};

/** Refuses a date range that ends before it starts, naming the field to fix. */
export function checkRange(
  from: string | undefined,
  to: string | undefined,
  toField: string,
  ctx: z.RefinementCtx,
): void {
  if (from !== undefined && to !== undefined && to < from) {
    ctx.addIssue({ code: 'custom', path: [toField], message: 'must not be before the start of the range' });
  }
}
