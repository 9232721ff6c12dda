import type { AnyToolDefinition } from '../define.js';
import { getInvoice } from './get-invoice.js';
import { listClientInvoices, listInvoices } from './list-invoices.js';

/** The billing tools, in the order tools/list shows them. */
export const billingTools: readonly AnyToolDefinition[] = [getInvoice, listClientInvoices, listInvoices];
