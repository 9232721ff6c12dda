import type { AnyToolDefinition } from '../define.js';
import { getInvoice } from './get-invoice.js';
import { getQuotes } from './get-quotes.js';
import { listClientInvoices, listInvoices } from './list-invoices.js';
import { listClientTransactions } from './list-client-transactions.js';
import { getCurrencies, listPaymentMethods } from './reference.js';

/** The billing tools, in the order tools/list shows them. */
export const billingTools: readonly AnyToolDefinition[] = [
  getInvoice,
  listClientInvoices,
  listInvoices,
  listClientTransactions,
  getQuotes,
  listPaymentMethods,
  getCurrencies,
];
