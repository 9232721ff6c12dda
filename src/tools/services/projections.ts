/**
 * What a client's service (tblhosting, "product/service" in WHMCS) looks like when it leaves the
 * server. Read from GetClientsProducts and GetClientsAddons rows. The service password WHMCS sends
 * in every GetClientsProducts row is never copied, and service notes (staff-only, often holding
 * credentials) are left out too; custom field values whose name says they hold a secret are masked.
 */
import { z } from 'zod';
import { toBool, toDate, toInt } from '../../whmcs/normalize.js';
import { money, untrustedText, whmcsDate } from '../schemas.js';
import { cleanText, untrusted } from '../untrusted.js';
import { amount, optionalId, optionalInt, type Row, rowsOf, text } from '../shared/fields.js';

/** Service statuses as WHMCS spells them (tblhosting.domainstatus). */
export const SERVICE_STATUSES = [
  'Pending',
  'Active',
  'Suspended',
  'Terminated',
  'Cancelled',
  'Fraud',
  'Completed',
] as const;
export type ServiceStatus = (typeof SERVICE_STATUSES)[number];

export const serviceStatusFilter = z
  .enum(SERVICE_STATUSES)
  .describe(`Only services in this status: ${SERVICE_STATUSES.join(', ')}.`);

const currencyCode = z
  .string()
  .nullable()
  .describe("The client's currency code (amounts are in it); null when the client no longer exists.");

/** A service as lists show it. */
export const serviceSummarySchema = z.object({
  id: z.number().int(),
  client_id: z.number().int().nullable(),
  order_id: z.number().int().nullable(),
  product_id: z.number().int().nullable(),
  product: z.string().describe('Product name.'),
  product_group: z.string().nullable(),
  domain: z.string().nullable().describe('Domain the service is for, when it has one.'),
  status: z.string().describe('WHMCS service status (Pending, Active, Suspended, Terminated, ...).'),
  billing_cycle: z.string().nullable(),
  quantity: z.number().int(),
  registration_date: whmcsDate,
  next_due_date: whmcsDate,
  first_payment_amount: money.nullable(),
  recurring_amount: money.nullable(),
  currency: currencyCode,
  payment_method: z.string().nullable().describe('Payment gateway name.'),
});
export type ServiceSummary = z.infer<typeof serviceSummarySchema>;

export const serviceAddonSchema = z.object({
  id: z.number().int(),
  service_id: z.number().int().nullable(),
  addon_id: z.number().int().nullable().describe('Predefined addon id; null for a custom addon.'),
  name: z.string(),
  status: z.string(),
  billing_cycle: z.string().nullable(),
  quantity: z.number().int(),
  setup_fee: money.nullable(),
  recurring_amount: money.nullable(),
  currency: currencyCode,
  registration_date: whmcsDate,
  next_due_date: whmcsDate,
  payment_method: z.string().nullable(),
});
export type ServiceAddon = z.infer<typeof serviceAddonSchema>;

export const serviceConfigOptionSchema = z.object({
  id: z.number().int().nullable(),
  option: z.string().describe('Configurable option name.'),
  type: z.string().nullable(),
  value: z.string().describe('The chosen value, or a quantity.'),
});

export const serviceCustomFieldSchema = z.object({
  id: z.number().int().nullable(),
  name: z.string(),
  value: untrustedText.describe('What the customer entered (masked when the field holds a secret).'),
});

export const serviceServerSchema = z.object({
  id: z.number().int(),
  name: z.string().nullable(),
  hostname: z.string().nullable(),
  ip_address: z.string().nullable(),
});

/** A service with everything get_service_details shows. */
export const serviceSchema = serviceSummarySchema.extend({
  username: z.string().nullable().describe('Hosting account username (the password is never returned).'),
  dedicated_ip: z.string().nullable(),
  assigned_ips: z.array(z.string()),
  server: serviceServerSchema.nullable().describe('The server the service is provisioned on, if any.'),
  suspension_reason: z.string().nullable(),
  override_auto_suspend: z.boolean(),
  override_suspend_until: whmcsDate,
  usage: z
    .object({
      disk_used_mb: z.number().int().nullable(),
      disk_limit_mb: z.number().int().nullable(),
      bandwidth_used_mb: z.number().int().nullable(),
      bandwidth_limit_mb: z.number().int().nullable(),
      last_update: whmcsDate,
    })
    .describe('Last usage figures the server module reported.'),
  config_options: z.array(serviceConfigOptionSchema),
  custom_fields: z.array(serviceCustomFieldSchema),
  addons: z.array(serviceAddonSchema),
});
export type Service = z.infer<typeof serviceSchema>;

/** Custom field names that suggest the value is a credential (root password, API key, PIN). */
const SECRET_FIELD_NAME = /pass(word|wd|phrase)?\b|secret|token|api.?key|private.?key|\bpin\b|credential/i;

export const MASKED_VALUE = '[hidden: the field name suggests a secret]';

export function projectServiceSummary(row: Row, currency: string | null): ServiceSummary {
  return {
    id: toInt(row.id) ?? 0,
    client_id: optionalId(row.clientid),
    order_id: optionalId(row.orderid),
    product_id: optionalId(row.pid),
    product: text(row.translated_name) ?? text(row.name) ?? 'Unnamed product',
    product_group: text(row.translated_groupname) ?? text(row.groupname),
    domain: text(row.domain),
    status: text(row.status) ?? 'Unknown',
    billing_cycle: text(row.billingcycle),
    quantity: toInt(row.qty) ?? 1,
    registration_date: toDate(row.regdate),
    next_due_date: toDate(row.nextduedate),
    first_payment_amount: amount(row.firstpaymentamount),
    recurring_amount: amount(row.recurringamount),
    currency,
    payment_method: text(row.paymentmethodname) ?? text(row.paymentmethod),
  };
}

export function projectServiceAddon(row: Row, currency: string | null): ServiceAddon {
  return {
    id: toInt(row.id) ?? 0,
    service_id: optionalId(row.serviceid),
    addon_id: optionalId(row.addonid),
    name: text(row.name) ?? 'Unnamed addon',
    status: text(row.status) ?? 'Unknown',
    billing_cycle: text(row.billingcycle),
    quantity: toInt(row.qty) ?? 1,
    setup_fee: amount(row.setupfee),
    recurring_amount: amount(row.recurring),
    currency,
    registration_date: toDate(row.regdate),
    next_due_date: toDate(row.nextduedate),
    payment_method: text(row.paymentmethodname) ?? text(row.paymentmethod),
  };
}

function projectConfigOption(row: Row): z.infer<typeof serviceConfigOptionSchema> {
  return {
    id: optionalId(row.id),
    option: text(row.option) ?? text(row.name) ?? '',
    type: text(row.type),
    value: text(row.value) ?? '',
  };
}

function projectCustomField(row: Row): z.infer<typeof serviceCustomFieldSchema> {
  const name = text(row.translated_name) ?? text(row.name) ?? '';
  const value = typeof row.value === 'string' || typeof row.value === 'number' ? String(row.value) : '';
  return {
    id: optionalId(row.id),
    name: cleanText(name),
    value:
      SECRET_FIELD_NAME.test(name) && value !== ''
        ? untrusted(MASKED_VALUE, 'system')
        : untrusted(value, 'customer'),
  };
}

function ipList(value: unknown): string[] {
  const raw = text(value);
  if (raw === null) return [];
  return raw
    .split(/[\s,]+/)
    .map((ip) => ip.trim())
    .filter((ip) => ip !== '');
}

/** The full service. `addons` are the service's own (GetClientsAddons with its serviceid). */
export function projectService(row: Row, currency: string | null, addons: readonly Row[] = []): Service {
  const serverId = optionalId(row.serverid);
  return {
    ...projectServiceSummary(row, currency),
    username: text(row.username),
    dedicated_ip: text(row.dedicatedip),
    assigned_ips: ipList(row.assignedips),
    server:
      serverId === null
        ? null
        : {
            id: serverId,
            name: text(row.servername),
            hostname: text(row.serverhostname),
            ip_address: text(row.serverip),
          },
    suspension_reason: text(row.suspensionreason),
    override_auto_suspend: toBool(row.overideautosuspend) ?? false,
    override_suspend_until: toDate(row.overidesuspenduntil),
    usage: {
      disk_used_mb: optionalInt(row.diskusage),
      disk_limit_mb: optionalInt(row.disklimit),
      bandwidth_used_mb: optionalInt(row.bwusage),
      bandwidth_limit_mb: optionalInt(row.bwlimit),
      last_update: toDate(row.lastupdate),
    },
    config_options: rowsOf(row.configoptions).map(projectConfigOption),
    custom_fields: rowsOf(row.customfields).map(projectCustomField),
    addons: addons.map((addon) => projectServiceAddon(addon, currency)),
  };
}

/** "Service 12 (Business Hosting, example.com): Active, 9.95 USD Monthly, next due 2026-01-01". */
export function describeService(service: ServiceSummary): string {
  const label = service.domain ? `${service.product}, ${service.domain}` : service.product;
  const price =
    service.recurring_amount !== null
      ? `, ${service.recurring_amount}${service.currency ? ` ${service.currency}` : ''}${service.billing_cycle ? ` ${service.billing_cycle}` : ''}`
      : '';
  const due = service.next_due_date ? `, next due ${service.next_due_date}` : '';
  return `Service ${service.id} (${label}): ${service.status}${price}${due}`;
}
