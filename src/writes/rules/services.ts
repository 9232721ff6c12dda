/**
 * Write rules for the module commands on a service: ModuleCreate, ModuleSuspend, ModuleUnsuspend
 * and ModuleTerminate. Each reads the service, its client and its product within the caller's
 * scope, says what the provisioning module will do on which server (addons follow the service),
 * and settles an unknown outcome by reading the service status back. The service password WHMCS
 * returns with the service is never kept.
 */
import { entityFromParams, type ActionRules, type RulesContext } from '../rules.js';
import {
  Findings,
  clientLabel,
  money,
  notSeen,
  positiveId,
  quoted,
  readClient,
  readOrNull,
  rowsOf,
  snapshotValue,
  statusChange,
  textOf,
  type ClientState,
} from './billing-common.js';
import { otherUnpaidWarning, unpaidInvoiceLabel, unpaidInvoicesFor, type UnpaidInvoice } from './clients.js';

export interface ServiceState {
  id: number;
  clientId: number;
  status: string;
  productId: number;
  productName: string;
  domain: string;
  serverName: string;
  suspensionReason: string;
}

/** The service with this id within the caller's scope, or null (missing and foreign alike). */
export async function readService(id: number, ctx: RulesContext): Promise<ServiceState | null> {
  const reply = await readOrNull(ctx, 'GetClientsProducts', { serviceid: id });
  const row = rowsOf(reply?.products).find((product) => positiveId(product.id) === id);
  const clientId = positiveId(row?.clientid);
  if (!row || clientId === null || !ctx.scope.allows(clientId)) return null;
  return {
    id,
    clientId,
    status: textOf(row.status),
    productId: positiveId(row.pid) ?? 0,
    productName: textOf(row.name) || textOf(row.translated_name),
    domain: textOf(row.domain),
    serverName: textOf(row.servername),
    suspensionReason: textOf(row.suspensionreason),
  };
}

/** "service 1 (Business, lindqvistdesign.com) of client 1 (Zoë Lindqvist)". */
export function serviceLabel(service: ServiceState, client: ClientState): string {
  const what = [service.productName, service.domain].filter(Boolean).join(', ');
  return `service ${service.id}${what ? ` (${what})` : ''} of ${clientLabel(client)}`;
}

interface ServiceRead {
  service: ServiceState;
  client: ClientState;
}

/** Reads the service a write names and its client; records both statuses in the snapshot. */
async function readServiceParam(
  params: Record<string, unknown>,
  ctx: RulesContext,
  findings: Findings,
): Promise<ServiceRead | null> {
  const id = positiveId(params.serviceid);
  const service = id === null ? null : await readService(id, ctx);
  const client = service ? await readClient(service.clientId, ctx) : null;
  if (!service || !client) {
    findings.problems.push(`Service ${textOf(params.serviceid) || '(none)'} was not found.`);
    return null;
  }
  Object.assign(findings.snapshot, { service_status: service.status, client_status: client.status });
  return { service, client };
}

/**
 * The product's provisioning module: WHMCS refuses module commands for a product without one.
 * Adds the problem, or a warning when the product cannot be read.
 */
async function checkModule(read: ServiceRead, ctx: RulesContext, findings: Findings): Promise<void> {
  const { service } = read;
  const reply = await ctx.whmcs.call('GetProducts', { pid: String(service.productId) });
  const product = rowsOf(reply.products).find((row) => positiveId(row.pid) === service.productId);
  if (!product) {
    findings.warnings.push(
      `Product ${service.productId} of service ${service.id} could not be read; WHMCS refuses the command if it has no provisioning module.`,
    );
    return;
  }
  const module = textOf(product.module);
  findings.snapshot.product_module = module;
  if (module === '') {
    findings.problems.push(
      `Service ${service.id} is a ${service.productName || 'product'} without a provisioning module; WHMCS refuses module commands for it.`,
    );
  }
}

function onServer(service: ServiceState): string {
  return service.serverName ? ` on server ${service.serverName}` : '';
}

/** Addons of the service in one of `from`, each as an impact line moving to `to`. */
async function addonLines(
  service: ServiceState,
  from: readonly string[],
  to: string,
  ctx: RulesContext,
): Promise<string[]> {
  const reply = await ctx.whmcs.call('GetClientsAddons', { serviceid: String(service.id) });
  return rowsOf(reply.addons)
    .filter((row) => positiveId(row.serviceid) === service.id && from.includes(textOf(row.status)))
    .map(
      (row) =>
        `Addon ${textOf(row.id)} (${textOf(row.name) || 'addon'}) of service ${service.id}: ${statusChange(textOf(row.status), to)}.`,
    );
}

/** The unpaid invoices billing the service: recorded in the snapshot, returned for the warnings. */
async function unpaidForService(
  read: ServiceRead,
  ctx: RulesContext,
  findings: Findings,
): Promise<{ billing: UnpaidInvoice[]; others: UnpaidInvoice[]; unchecked: UnpaidInvoice[] }> {
  const found = await unpaidInvoicesFor(read.client, 'service', read.service.id, ctx);
  findings.snapshot.unpaid_invoices_for_service = found.billing
    .map((invoice) => `${invoice.id}:${money(invoice.balance)}`)
    .join(',');
  if (!found.complete) {
    findings.warnings.push(
      `${clientLabel(read.client)} has more unpaid invoices than this check reads; review them in WHMCS.`,
    );
  }
  return found;
}

function reconcileStatus(target: string): NonNullable<ActionRules['reconcile']> {
  return async (intent, ctx) => {
    const id = positiveId(intent.params.serviceid) ?? 0;
    const service = await readService(id, ctx);
    if (!service) return { state: 'unknown', evidence: `Service ${id} could not be read.` };
    if (service.status === target) return { state: 'executed', evidence: `Service ${id} is ${target}.` };
    if (service.status === snapshotValue(intent, 'service_status'))
      return notSeen(intent, ctx, `Service ${id} is still ${service.status}.`);
    return {
      state: 'unknown',
      evidence: `Service ${id} is ${service.status}, neither as before nor ${target}.`,
    };
  };
}

// ---- ModuleSuspend -----------------------------------------------------------------------------------

/** Suspends an Active service on its server; its Active addons are suspended with it. */
export const moduleSuspendRules: ActionRules = {
  action: 'ModuleSuspend',
  entity: entityFromParams,
  async check(params, ctx) {
    const findings = new Findings();
    const read = await readServiceParam(params, ctx, findings);
    if (!read) return findings.outcome();
    const { service, client } = read;
    if (service.status !== 'Active') {
      findings.problems.push(
        `Service ${service.id} is ${service.status}; only an Active service can be suspended.`,
      );
      return findings.outcome();
    }
    await checkModule(read, ctx, findings);
    if (findings.problems.length > 0) return findings.outcome();
    const reason = textOf(params.suspendreason).trim();
    findings.impact.push(
      `${serviceLabel(service, client)}: ${statusChange('Active', 'Suspended')}, reason ${reason ? quoted(reason) : '(none given)'}.`,
      `The product module suspends the account${onServer(service)}: its websites, mail and logins stop until it is unsuspended.`,
      ...(await addonLines(service, ['Active'], 'Suspended', ctx)),
    );
    return findings.outcome();
  },
  reconcile: reconcileStatus('Suspended'),
  summarize(_reply, params) {
    const reason = textOf(params.suspendreason).trim();
    return `Service ${textOf(params.serviceid)} suspended${reason ? ` (reason ${quoted(reason)})` : ''}.`;
  },
};

// ---- ModuleUnsuspend ---------------------------------------------------------------------------------

/** Lifts the suspension of a Suspended service; its suspended addons come back with it. */
export const moduleUnsuspendRules: ActionRules = {
  action: 'ModuleUnsuspend',
  entity: entityFromParams,
  async check(params, ctx) {
    const findings = new Findings();
    const read = await readServiceParam(params, ctx, findings);
    if (!read) return findings.outcome();
    const { service, client } = read;
    if (service.status !== 'Suspended') {
      findings.problems.push(
        `Service ${service.id} is ${service.status}; only a Suspended service can be unsuspended.`,
      );
      return findings.outcome();
    }
    await checkModule(read, ctx, findings);
    if (findings.problems.length > 0) return findings.outcome();
    findings.impact.push(
      `${serviceLabel(service, client)}: ${statusChange('Suspended', 'Active')}${service.suspensionReason ? `; the suspension reason ${quoted(service.suspensionReason)} is cleared` : ''}.`,
      `The product module unsuspends the account${onServer(service)}.`,
      ...(await addonLines(service, ['Suspended'], 'Active', ctx)),
    );
    const { billing } = await unpaidForService(read, ctx, findings);
    if (billing.length > 0) {
      findings.warnings.push(
        `Still unpaid for this service: ${billing.map((invoice) => unpaidInvoiceLabel(invoice, client.currency)).join('; ')}. WHMCS's daily automation may suspend it again while they stay overdue.`,
      );
    }
    return findings.outcome();
  },
  reconcile: reconcileStatus('Active'),
  summarize(_reply, params) {
    return `Service ${textOf(params.serviceid)} unsuspended.`;
  },
};

// ---- ModuleTerminate ---------------------------------------------------------------------------------

/**
 * Terminates a service on its server: the account and its data are deleted, which WHMCS cannot
 * undo. The client's unpaid invoices that bill the service are listed first, since terminating
 * neither collects nor cancels them.
 */
export const moduleTerminateRules: ActionRules = {
  action: 'ModuleTerminate',
  entity: entityFromParams,
  async check(params, ctx) {
    const findings = new Findings();
    const read = await readServiceParam(params, ctx, findings);
    if (!read) return findings.outcome();
    const { service, client } = read;
    if (service.status === 'Terminated' || service.status === 'Cancelled') {
      findings.problems.push(`Service ${service.id} is already ${service.status}.`);
      return findings.outcome();
    }
    if (service.status !== 'Active' && service.status !== 'Suspended') {
      findings.problems.push(
        `Service ${service.id} is ${service.status}; the module can only terminate an Active or Suspended account.`,
      );
      return findings.outcome();
    }
    await checkModule(read, ctx, findings);
    if (findings.problems.length > 0) return findings.outcome();
    findings.impact.push(
      `${serviceLabel(service, client)}: ${statusChange(service.status, 'Terminated')}.`,
      `Irreversible: the product module deprovisions the account${onServer(service)}, deleting its files, databases and mail; WHMCS cannot restore them.`,
      ...(await addonLines(service, ['Active', 'Suspended', 'Pending'], 'Terminated', ctx)),
    );
    const { billing, others, unchecked } = await unpaidForService(read, ctx, findings);
    if (billing.length > 0) {
      findings.warnings.push(
        `Unpaid invoices bill this service: ${billing.map((invoice) => unpaidInvoiceLabel(invoice, client.currency)).join('; ')}. Terminating neither collects nor cancels them; cancel or pursue them separately.`,
      );
    }
    findings.warnings.push(...otherUnpaidWarning(client, others, unchecked));
    findings.warnings.push(
      'Take a backup first if the data may be needed: a terminated account cannot be unsuspended.',
    );
    return findings.outcome();
  },
  reconcile: reconcileStatus('Terminated'),
  summarize(_reply, params) {
    return `Service ${textOf(params.serviceid)} terminated on its server.`;
  },
};

// ---- ModuleCreate ------------------------------------------------------------------------------------

/** Provisions a service that has no account yet (Pending, or Terminated/Cancelled being set up again). */
export const moduleCreateRules: ActionRules = {
  action: 'ModuleCreate',
  entity: entityFromParams,
  async check(params, ctx) {
    const findings = new Findings();
    const read = await readServiceParam(params, ctx, findings);
    if (!read) return findings.outcome();
    const { service, client } = read;
    if (service.status === 'Active' || service.status === 'Suspended') {
      findings.problems.push(
        `Service ${service.id} is ${service.status}: its account already exists, so the module cannot create it.`,
      );
      return findings.outcome();
    }
    if (service.status === 'Fraud') {
      findings.problems.push(`Service ${service.id} is marked Fraud; it is not provisioned.`);
      return findings.outcome();
    }
    await checkModule(read, ctx, findings);
    if (findings.problems.length > 0) return findings.outcome();
    findings.impact.push(
      `${serviceLabel(service, client)}: ${statusChange(service.status, 'Active')}.`,
      `The product module creates the account${onServer(service) || ' on a server WHMCS picks for the product'}.`,
      ...(await addonLines(service, ['Pending', 'Terminated', 'Cancelled'], 'Active', ctx)),
    );
    if (client.status !== 'Active') {
      findings.warnings.push(`${clientLabel(client)} is ${client.status}.`);
    }
    const { billing } = await unpaidForService(read, ctx, findings);
    if (billing.length > 0) {
      findings.warnings.push(
        `Provisioning before payment: ${billing.map((invoice) => unpaidInvoiceLabel(invoice, client.currency)).join('; ')} still unpaid for this service.`,
      );
    }
    return findings.outcome();
  },
  reconcile: reconcileStatus('Active'),
  summarize(_reply, params) {
    return `Service ${textOf(params.serviceid)} provisioned on its server.`;
  },
};

export const SERVICE_RULES: readonly ActionRules[] = [
  moduleSuspendRules,
  moduleUnsuspendRules,
  moduleTerminateRules,
  moduleCreateRules,
];
