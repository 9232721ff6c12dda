/**
 * WHMCS's invoice statuses are written once (src/whmcs/vocabulary.ts) for the tools and the write
 * rules; the sandbox keeps an independent copy, which must agree with it.
 */
import { describe, expect, it } from 'vitest';
import { INVOICE_STATUSES as SANDBOX_INVOICE_STATUSES } from '../../src/sandbox/state.js';
import * as projections from '../../src/tools/billing/projections.js';
import {
  INVOICE_STATUSES,
  OPEN_INVOICE_STATUSES,
  invoiceStatusNamed,
  isOpenInvoiceStatus,
} from '../../src/whmcs/vocabulary.js';

describe('the invoice status vocabulary', () => {
  it('lists the statuses WHMCS stores, as the sandbox models them independently', () => {
    expect([...INVOICE_STATUSES].sort()).toEqual([...SANDBOX_INVOICE_STATUSES].sort());
    expect(INVOICE_STATUSES).not.toContain('Overdue');
  });

  it('is the one list the tools show', () => {
    expect(projections.INVOICE_STATUSES).toBe(INVOICE_STATUSES);
  });

  it('counts Unpaid, Payment Pending and Collections as owed, and nothing else', () => {
    expect(INVOICE_STATUSES.filter(isOpenInvoiceStatus).sort()).toEqual([
      'Collections',
      'Payment Pending',
      'Unpaid',
    ]);
    // The order the refusals list them in ("an invoice that is Unpaid, Payment Pending, Collections").
    expect(OPEN_INVOICE_STATUSES).toEqual(['Unpaid', 'Payment Pending', 'Collections']);
    expect(isOpenInvoiceStatus('Draft')).toBe(false);
    expect(isOpenInvoiceStatus('unpaid')).toBe(false);
  });

  it('names a status in any letter case, and nothing WHMCS does not store', () => {
    expect(invoiceStatusNamed(' payment pending ')).toBe('Payment Pending');
    expect(invoiceStatusNamed('PAID')).toBe('Paid');
    expect(invoiceStatusNamed('Overdue')).toBeUndefined();
    expect(invoiceStatusNamed('')).toBeUndefined();
  });
});
