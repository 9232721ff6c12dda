import type { AnyToolDefinition } from '../define.js';
import { getAccount360 } from './account-360.js';
import { getBillingSnapshot } from './billing-snapshot.js';
import { getDomainPortfolioSnapshot } from './domain-portfolio.js';
import { getAccountsReceivableAging } from './receivables-aging.js';
import { getRenewalSnapshot } from './renewal-snapshot.js';
import { getRevenueReport } from './revenue-report.js';
import { getSupportSnapshot } from './support-snapshot.js';

/** The reports tools, in the order tools/list shows them: per-client aggregators, then cross-client reports. */
export const reportsTools: readonly AnyToolDefinition[] = [
  getAccount360,
  getBillingSnapshot,
  getSupportSnapshot,
  getRenewalSnapshot,
  getAccountsReceivableAging,
  getRevenueReport,
  getDomainPortfolioSnapshot,
];
