/**
 * WHMCS's own words for states, written once for every layer above the client: the tools show
 * them and the write rules judge by them.
 */
// The sandbox keeps its own copy on purpose: an emulator that shared this code could not catch it being wrong.

/** Every status WHMCS stores on an invoice ("Overdue" is derived by GetInvoices, never stored). */
export const INVOICE_STATUSES = [
  'Draft',
  'Unpaid',
  'Paid',
  'Cancelled',
  'Refunded',
  'Collections',
  'Payment Pending',
] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/** Statuses in which the client owes the balance and a payment may be recorded (a draft is not billed yet). */
export const OPEN_INVOICE_STATUSES: readonly InvoiceStatus[] = ['Unpaid', 'Payment Pending', 'Collections'];

export function isOpenInvoiceStatus(status: string): boolean {
  return (OPEN_INVOICE_STATUSES as readonly string[]).includes(status);
}

/** The invoice status a text names, in any letter case, or undefined when WHMCS has no such status. */
export function invoiceStatusNamed(text: string): InvoiceStatus | undefined {
  const wanted = text.trim().toLowerCase();
  return INVOICE_STATUSES.find((status) => status.toLowerCase() === wanted);
}
