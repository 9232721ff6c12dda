/**
 * get_domain_portfolio_snapshot: all domains across clients, by status and registrar, how many
 * active domains expire in the next 30/60/90 days, and how many will not auto-renew.
 */
import { z } from 'zod';
import { defineTool } from '../define.js';
import { projectDomain } from '../domains/projections.js';
import { daysBetween, todayUtc } from '../shared/dates.js';
import { scanList } from '../shared/list-scan.js';
import { REPORT_SCAN_CAP } from './sections.js';

const EXPIRY_WINDOWS = [30, 60, 90] as const;
/** Domains still held for the client: counted for expiry and registrar questions. */
const LIVE_STATUSES = new Set(['Active', 'Grace', 'Redemption', 'Pending Transfer']);

const output = z.object({
  as_of: z.string(),
  total_domains: z.number().int().describe('Domains read.'),
  by_status: z.array(z.object({ status: z.string(), count: z.number().int() })),
  expiring: z
    .object({
      within_30_days: z.number().int(),
      within_60_days: z.number().int(),
      within_90_days: z.number().int(),
      already_expired: z
        .number()
        .int()
        .describe('Active domains whose expiry date has passed: check their sync.'),
    })
    .describe('Active domains by expiry date, counted cumulatively from today.'),
  expiring_soonest: z
    .array(
      z.object({
        id: z.number().int(),
        domain: z.string(),
        client_id: z.number().int().nullable(),
        expiry_date: z.string().nullable(),
        days_until_expiry: z.number().int(),
        registrar: z.string().nullable(),
        auto_renew: z.boolean(),
      }),
    )
    .describe('Active domains expiring within 90 days, soonest first.'),
  by_registrar: z
    .array(
      z.object({
        registrar: z.string().describe('Registrar module; "none" when no registrar is set.'),
        count: z.number().int(),
        active: z.number().int(),
      }),
    )
    .describe('Live domains (active, grace, redemption, pending transfer) per registrar.'),
  auto_renew_off: z
    .object({
      active: z.number().int().describe('Active domains set to "do not renew".'),
      expiring_within_90_days: z.number().int(),
    })
    .describe('Domains that will lapse unless someone acts.'),
  domains_scanned: z.number().int(),
  scan_capped: z
    .boolean()
    .describe(`True when more than ${REPORT_SCAN_CAP} domains exist: the figures cover the ones read.`),
});
type Output = z.infer<typeof output>;

export const getDomainPortfolioSnapshot = defineTool({
  name: 'get_domain_portfolio_snapshot',
  title: 'Domain portfolio snapshot',
  description:
    'All domains across clients at a glance: counts by status, active domains expiring within 30, 60 and 90 days (and the soonest of them), live domains per registrar, and how many are set not to auto-renew. Use it for renewal planning and registrar reviews. Reads at most 10,000 domains and says so in scan_capped. Admin only.',
  toolset: 'reports',
  kind: 'read',
  risk: 'low',
  clientMode: 'admin_only',
  whmcsActions: ['GetClientsDomains'],
  input: z.strictObject({
    expiring_limit: z
      .number()
      .int()
      .min(0)
      .max(100)
      .default(25)
      .describe('How many of the soonest-expiring domains to list (0 to 100, default 25).'),
  }),
  output,
  async handler(input, ctx): Promise<Output> {
    const today = todayUtc();
    const scan = await scanList(ctx, 'GetClientsDomains', {}, 'domains', REPORT_SCAN_CAP);
    // Portfolio amounts are not shown, so the client's currency is not needed.
    const domains = scan.rows.map((row) => projectDomain(row, null));

    const byStatus = new Map<string, number>();
    const byRegistrar = new Map<string, { count: number; active: number }>();
    const windows = new Map<number, number>(EXPIRY_WINDOWS.map((days) => [days, 0]));
    let alreadyExpired = 0;
    let autoRenewOff = 0;
    let autoRenewOffSoon = 0;
    const expiring: Output['expiring_soonest'] = [];
    for (const domain of domains) {
      byStatus.set(domain.status, (byStatus.get(domain.status) ?? 0) + 1);
      if (LIVE_STATUSES.has(domain.status)) {
        const registrar = domain.registrar ?? 'none';
        const entry = byRegistrar.get(registrar) ?? { count: 0, active: 0 };
        entry.count += 1;
        if (domain.status === 'Active') entry.active += 1;
        byRegistrar.set(registrar, entry);
      }
      if (domain.status !== 'Active') continue;
      if (!domain.auto_renew) autoRenewOff += 1;
      const days = daysBetween(today, domain.expiry_date);
      if (days === undefined) continue;
      if (days < 0) {
        alreadyExpired += 1;
        continue;
      }
      for (const window of EXPIRY_WINDOWS)
        if (days <= window) windows.set(window, (windows.get(window) ?? 0) + 1);
      if (days <= 90) {
        if (!domain.auto_renew) autoRenewOffSoon += 1;
        expiring.push({
          id: domain.id,
          domain: domain.domain,
          client_id: domain.client_id,
          expiry_date: domain.expiry_date,
          days_until_expiry: days,
          registrar: domain.registrar,
          auto_renew: domain.auto_renew,
        });
      }
    }
    expiring.sort((left, right) => left.days_until_expiry - right.days_until_expiry || left.id - right.id);

    return {
      as_of: today,
      total_domains: domains.length,
      by_status: [...byStatus.entries()]
        .sort(([left, a], [right, b]) => b - a || left.localeCompare(right))
        .map(([status, count]) => ({ status, count })),
      expiring: {
        within_30_days: windows.get(30) ?? 0,
        within_60_days: windows.get(60) ?? 0,
        within_90_days: windows.get(90) ?? 0,
        already_expired: alreadyExpired,
      },
      expiring_soonest: expiring.slice(0, input.expiring_limit),
      by_registrar: [...byRegistrar.entries()]
        .sort(([left, a], [right, b]) => b.count - a.count || left.localeCompare(right))
        .map(([registrar, entry]) => ({ registrar, ...entry })),
      auto_renew_off: { active: autoRenewOff, expiring_within_90_days: autoRenewOffSoon },
      domains_scanned: scan.rows.length,
      scan_capped: scan.capped,
    };
  },
  summarize(result) {
    const capped = result.scan_capped ? ' (first 10,000 only)' : '';
    return `${result.total_domains} domain(s)${capped}: ${result.expiring.within_30_days} active expiring within 30 days, ${result.expiring.within_90_days} within 90; ${result.auto_renew_off.active} active set not to auto-renew.`;
  },
});
