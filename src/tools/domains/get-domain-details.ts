import { z } from 'zod';
import { WhmcsMcpError } from '../../errors.js';
import { toInt } from '../../whmcs/normalize.js';
import { defineTool, type ToolContext, type WhmcsReply } from '../define.js';
import { entityId } from '../schemas.js';
import { CURRENCY_ACTIONS, Currencies } from '../shared/currencies.js';
import { loadDomain } from '../shared/ownership.js';
import {
  describeDomain,
  domainDetailsSchema,
  nameserversOf,
  projectDomain,
  registrarLockOf,
  type RegistrarError,
} from './projections.js';

/** Statuses in which the registrar holds nothing for this installation to ask about. */
const NOT_AT_REGISTRAR = new Set([
  'pending',
  'pending registration',
  'pending transfer',
  'cancelled',
  'fraud',
  'transferred away',
]);

type Section = RegistrarError['section'];

/** One registrar lookup; its failure becomes a partial error instead of failing the whole call. */
async function registrarSection<T>(
  ctx: ToolContext,
  section: Section,
  call: () => Promise<WhmcsReply>,
  read: (reply: WhmcsReply) => T,
  errors: RegistrarError[],
): Promise<T | null> {
  try {
    return read(await call());
  } catch (error) {
    if (!(error instanceof WhmcsMcpError) || ctx.signal.aborted) throw error;
    errors.push({ section, code: error.code, message: error.message });
    return null;
  }
}

export const getDomainDetails = defineTool({
  name: 'get_domain_details',
  title: 'Get domain details',
  description:
    "One client domain: status, registrar, registration, expiry and next due dates, amounts in the client's currency, auto-renew, ID protection, and what the registrar reports now (nameservers, transfer lock). A registrar lookup that fails is listed in partial_errors while the rest is still returned. Use list_client_domains to find a domain id.",
  toolset: 'domains',
  kind: 'read',
  risk: 'low',
  clientMode: 'owned',
  whmcsActions: ['GetClientsDomains', 'DomainGetNameservers', 'DomainGetLockingStatus', ...CURRENCY_ACTIONS],
  input: z.strictObject({ domain_id: entityId('The domain id (tbldomains.id), not the name.') }),
  output: domainDetailsSchema,
  async handler(input, ctx) {
    const row = await loadDomain(ctx, input.domain_id);
    const currency = await new Currencies(ctx).forClient(toInt(row.userid));
    const domain = projectDomain(row, currency);
    const skipped = !domain.registrar
      ? 'the domain has no registrar assigned'
      : NOT_AT_REGISTRAR.has(domain.status.toLowerCase())
        ? `the domain is ${domain.status}, so the registrar has nothing to report`
        : null;
    if (skipped) {
      return {
        ...domain,
        nameservers: null,
        registrar_lock: null,
        registrar_lookup_skipped: skipped,
        partial_errors: [],
      };
    }
    const errors: RegistrarError[] = [];
    const params = { domainid: input.domain_id };
    const [nameservers, registrarLock] = await Promise.all([
      registrarSection(
        ctx,
        'nameservers',
        () => ctx.whmcs.call('DomainGetNameservers', params),
        nameserversOf,
        errors,
      ),
      registrarSection(
        ctx,
        'locking_status',
        () => ctx.whmcs.call('DomainGetLockingStatus', params),
        registrarLockOf,
        errors,
      ),
    ]);
    errors.sort((left, right) => left.section.localeCompare(right.section));
    return {
      ...domain,
      nameservers,
      registrar_lock: registrarLock,
      registrar_lookup_skipped: null,
      partial_errors: errors,
    };
  },
  summarize(domain) {
    const nameservers = domain.nameservers ? `; nameservers ${domain.nameservers.join(', ') || 'none'}` : '';
    const lock =
      domain.registrar_lock === null ? '' : `; transfer lock ${domain.registrar_lock ? 'on' : 'off'}`;
    const partial =
      domain.partial_errors.length > 0
        ? `; registrar lookups failed: ${domain.partial_errors.map((error) => error.section).join(', ')}`
        : '';
    return `${describeDomain(domain)}${nameservers}${lock}${partial}.`;
  },
});
