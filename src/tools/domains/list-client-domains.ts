import { z } from 'zod';
import { toDate, toInt } from '../../whmcs/normalize.js';
import { defineTool } from '../define.js';
import { entityId, listOutput, pagingInput } from '../schemas.js';
import { CURRENCY_ACTIONS, Currencies } from '../shared/currencies.js';
import { addDays, todayUtc } from '../shared/dates.js';
import type { Row } from '../shared/fields.js';
import { actionPages, listPage } from '../shared/list-scan.js';
import { loadClient } from '../shared/ownership.js';
import { domainSchema, domainStatusFilter, projectDomain } from './projections.js';

export const listClientDomains = defineTool({
  name: 'list_client_domains',
  title: "List a client's domains",
  description:
    "One client's domains with status, registrar, expiry and next due dates, amounts in the client's currency and auto-renew, with paging. Filters: `status` (WHMCS domain status) and `expiring_within_days` (expiry date from today up to that many days ahead; already expired domains are not included). Use get_domain_details for nameservers and transfer lock.",
  toolset: 'domains',
  kind: 'read',
  risk: 'low',
  clientMode: 'owned',
  whmcsActions: ['GetClientsDomains', ...CURRENCY_ACTIONS],
  input: z.strictObject({
    client_id: entityId('The client id.'),
    status: domainStatusFilter.optional(),
    expiring_within_days: z
      .number()
      .int()
      .min(0)
      .max(3650)
      .optional()
      .describe('Only domains expiring between today and this many days from today (0 = today).'),
    ...pagingInput,
  }),
  output: listOutput(domainSchema),
  async handler(input, ctx) {
    const client = await loadClient(ctx, input.client_id);
    const currencies = new Currencies(ctx);
    currencies.rememberClient(input.client_id, client);

    const status = input.status?.toLowerCase();
    const today = todayUtc();
    const window =
      input.expiring_within_days === undefined
        ? undefined
        : { from: today, to: addDays(today, input.expiring_within_days) };
    // WHMCS filters GetClientsDomains by client only; status and expiry are checked here, and the
    // owner on every row so a WHMCS that ignored the client filter can never leak another's domain.
    const matches = (row: Row): boolean => {
      if (toInt(row.userid) !== input.client_id) return false;
      if (status !== undefined && String(row.status ?? '').toLowerCase() !== status) return false;
      if (window) {
        const expiry = toDate(row.expirydate)?.slice(0, 10);
        if (!expiry || expiry < window.from || expiry > window.to) return false;
      }
      return true;
    };
    const page = await listPage({
      read: actionPages(ctx, 'GetClientsDomains', { clientid: input.client_id }, 'domains'),
      keep: matches,
      serverAppliesAllFilters: status === undefined && window === undefined,
      offset: input.offset,
      limit: input.limit,
      noun: 'domains',
      narrowHint: 'filter by status or a shorter expiry window',
      logger: ctx.logger,
    });
    const currency = await currencies.forClient(input.client_id);
    return { ...page, items: page.items.map((row) => projectDomain(row, currency)) };
  },
  summarize(page) {
    const estimate = page.total_is_estimate ? 'at least ' : '';
    const soonest = page.items
      .map((domain) => domain.expiry_date)
      .filter((date): date is string => date !== null)
      .sort()[0];
    const expiry = soonest ? `; earliest expiry on this page ${soonest}` : '';
    const more = page.has_more ? `; next page at offset ${String(page.next_offset)}` : '';
    return `${page.count} of ${estimate}${page.total} domain(s)${expiry}${more}.`;
  },
});
