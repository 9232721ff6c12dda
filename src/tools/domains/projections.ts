/**
 * A client's domain (tbldomains) as it leaves the server, read from GetClientsDomains rows, and
 * the registrar data get_domain_details adds. The EPP code is never part of it, and admin notes
 * on the domain are left out.
 */
import { z } from 'zod';
import { toBool, toDate, toInt } from '../../whmcs/normalize.js';
import { amount, optionalId, text, type Row } from '../shared/fields.js';
import { money, whmcsDate } from '../schemas.js';

/** Domain statuses as WHMCS spells them (tbldomains.status). */
export const DOMAIN_STATUSES = [
  'Pending',
  'Pending Registration',
  'Pending Transfer',
  'Active',
  'Grace',
  'Redemption',
  'Expired',
  'Transferred Away',
  'Cancelled',
  'Fraud',
] as const;
export type DomainStatus = (typeof DOMAIN_STATUSES)[number];

export const domainStatusFilter = z
  .enum(DOMAIN_STATUSES)
  .describe(`Only domains in this status: ${DOMAIN_STATUSES.join(', ')}.`);

export const domainSchema = z.object({
  id: z.number().int(),
  client_id: z.number().int().nullable(),
  order_id: z.number().int().nullable(),
  domain: z.string(),
  status: z.string().describe('WHMCS domain status (Active, Pending, Expired, Grace, ...).'),
  registration_type: z.string().nullable().describe('Register or Transfer.'),
  registration_period_years: z.number().int().nullable(),
  registrar: z.string().nullable().describe('Registrar module, e.g. enom.'),
  registration_date: whmcsDate,
  expiry_date: whmcsDate,
  next_due_date: whmcsDate,
  first_payment_amount: money.nullable(),
  recurring_amount: money.nullable(),
  currency: z.string().nullable().describe("The client's currency code (amounts are in it)."),
  payment_method: z.string().nullable(),
  auto_renew: z.boolean().describe('False when the domain is set to "do not renew".'),
  id_protection: z.boolean(),
  dns_management: z.boolean(),
  email_forwarding: z.boolean(),
});
export type Domain = z.infer<typeof domainSchema>;

export const REGISTRAR_SECTIONS = ['nameservers', 'locking_status'] as const;

export const registrarErrorSchema = z.object({
  section: z.enum(REGISTRAR_SECTIONS),
  code: z.string().describe('Stable error code (upstream_error, not_found, timeout, ...).'),
  message: z.string(),
});
export type RegistrarError = z.infer<typeof registrarErrorSchema>;

/** Domain plus what the registrar reports; a failed registrar lookup leaves its field null. */
export const domainDetailsSchema = domainSchema.extend({
  nameservers: z
    .array(z.string())
    .nullable()
    .describe('Nameservers at the registrar; null when not looked up or the lookup failed.'),
  registrar_lock: z
    .boolean()
    .nullable()
    .describe('Transfer lock at the registrar; null when unknown (not looked up or the lookup failed).'),
  registrar_lookup_skipped: z
    .string()
    .nullable()
    .describe('Why the registrar was not asked (e.g. the domain is not registered yet); null when it was.'),
  partial_errors: z
    .array(registrarErrorSchema)
    .describe('Registrar lookups that failed; the rest of the answer is still valid.'),
});
export type DomainDetails = z.infer<typeof domainDetailsSchema>;

export function projectDomain(row: Row, currency: string | null): Domain {
  return {
    id: toInt(row.id) ?? 0,
    client_id: optionalId(row.userid),
    order_id: optionalId(row.orderid),
    domain: text(row.domainname) ?? text(row.domain) ?? '',
    status: text(row.status) ?? 'Unknown',
    registration_type: text(row.regtype),
    registration_period_years: optionalId(row.regperiod),
    registrar: text(row.registrar),
    registration_date: toDate(row.regdate),
    expiry_date: toDate(row.expirydate),
    next_due_date: toDate(row.nextduedate),
    first_payment_amount: amount(row.firstpaymentamount),
    recurring_amount: amount(row.recurringamount),
    currency,
    payment_method: text(row.paymentmethodname) ?? text(row.paymentmethod),
    // WHMCS stores the opposite flag: donotrenew.
    auto_renew: !(toBool(row.donotrenew) ?? false),
    id_protection: toBool(row.idprotection) ?? false,
    dns_management: toBool(row.dnsmanagement) ?? false,
    email_forwarding: toBool(row.emailforwarding) ?? false,
  };
}

/** Nameservers from a DomainGetNameservers reply (ns1..ns5, blanks dropped). */
export function nameserversOf(reply: Row): string[] {
  const nameservers: string[] = [];
  for (let index = 1; index <= 5; index++) {
    const nameserver = text(reply[`ns${index}`]);
    if (nameserver !== null) nameservers.push(nameserver.toLowerCase());
  }
  return nameservers;
}

/** A DomainGetLockingStatus `lockstatus` ("locked" / "unlocked") as a flag; null when unclear. */
export function registrarLockOf(reply: Row): boolean | null {
  const status = (text(reply.lockstatus) ?? '').toLowerCase();
  if (status === 'locked') return true;
  if (status === 'unlocked') return false;
  return null;
}

/** "example.com (domain 3): Active, expires 2026-01-02, auto-renew on". */
export function describeDomain(domain: Domain): string {
  const expiry = domain.expiry_date ? `, expires ${domain.expiry_date}` : '';
  return `${domain.domain} (domain ${domain.id}): ${domain.status}${expiry}, auto-renew ${domain.auto_renew ? 'on' : 'off'}`;
}
