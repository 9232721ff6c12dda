/**
 * Order and service write façades: accept or cancel a pending order, and the module actions that
 * suspend, unsuspend and terminate a service on its server. Admin only.
 */
import { z } from 'zod';
import { entityId } from '../schemas.js';
import { loadOrder, loadService } from '../shared/ownership.js';
import { defineWriteFacade } from './facade.js';
import { lineText } from './inputs.js';

export const acceptOrder = defineWriteFacade({
  name: 'accept_order',
  title: 'Accept a pending order',
  description:
    "Drafts accepting a pending order (WHMCS AcceptOrder): its services are provisioned on their servers, its domains sent to the registrar, and the welcome e-mails sent, each as the product and the options say. Returns the intent, pending approval; it names the order's client and items in its impact.",
  toolset: 'orders',
  action: 'AcceptOrder',
  clientMode: 'admin_only',
  reads: ['GetOrders'],
  fields: {
    order_id: entityId('Pending order id to accept.'),
    run_module_setup: z
      .boolean()
      .optional()
      .describe("Create the services on their servers now (the product's own setting when omitted)."),
    send_to_registrar: z
      .boolean()
      .optional()
      .describe("Send domain registrations to the registrar now (the product's own setting when omitted)."),
    send_emails: z.boolean().optional().describe('Send the welcome and domain e-mails (WHMCS default).'),
  },
  async params(args, ctx) {
    await loadOrder(ctx, args.order_id);
    return {
      orderid: args.order_id,
      autosetup: args.run_module_setup,
      sendregistrar: args.send_to_registrar,
      sendemail: args.send_emails,
    };
  },
});

export const cancelOrder = defineWriteFacade({
  name: 'cancel_order',
  title: 'Cancel a pending order',
  description:
    'Drafts cancelling a pending order (WHMCS CancelOrder): its services, addons and domains become Cancelled and its unpaid invoice is cancelled. Returns the intent, pending approval.',
  toolset: 'orders',
  action: 'CancelOrder',
  clientMode: 'admin_only',
  reads: ['GetOrders'],
  fields: {
    order_id: entityId('Pending order id to cancel.'),
    cancel_subscription: z
      .boolean()
      .optional()
      .describe("Also try to cancel the gateway subscription of the order's products."),
  },
  async params(args, ctx) {
    await loadOrder(ctx, args.order_id);
    return { orderid: args.order_id, cancelsub: args.cancel_subscription };
  },
});

export const suspendService = defineWriteFacade({
  name: 'suspend_service',
  title: 'Suspend a service',
  description:
    'Drafts suspending an active service on its server (WHMCS ModuleSuspend), e.g. for non-payment or abuse; its active addons are suspended too. The suspension reason shows in WHMCS. Returns the intent, pending approval.',
  toolset: 'services',
  action: 'ModuleSuspend',
  clientMode: 'admin_only',
  reads: ['GetClientsProducts'],
  fields: {
    service_id: entityId('Active service id to suspend.'),
    suspension_reason: lineText('Reason recorded on the service, e.g. "Overdue on Payment".', 200).optional(),
  },
  async params(args, ctx) {
    await loadService(ctx, args.service_id);
    return { serviceid: args.service_id, suspendreason: args.suspension_reason };
  },
});

export const unsuspendService = defineWriteFacade({
  name: 'unsuspend_service',
  title: 'Unsuspend a service',
  description:
    'Drafts lifting the suspension of a suspended service on its server (WHMCS ModuleUnsuspend). Returns the intent, pending approval.',
  toolset: 'services',
  action: 'ModuleUnsuspend',
  clientMode: 'admin_only',
  reads: ['GetClientsProducts'],
  fields: {
    service_id: entityId('Suspended service id to unsuspend.'),
  },
  async params(args, ctx) {
    await loadService(ctx, args.service_id);
    return { serviceid: args.service_id };
  },
});

export const terminateService = defineWriteFacade({
  name: 'terminate_service',
  title: 'Terminate a service',
  description:
    "Drafts terminating a service on its server (WHMCS ModuleTerminate): the account and its data are removed from the server and cannot be restored from WHMCS. Destructive: validation checks the service's state and unpaid invoices, and approval may need more than one person. Returns the intent, pending approval.",
  toolset: 'services',
  action: 'ModuleTerminate',
  clientMode: 'admin_only',
  reads: ['GetClientsProducts'],
  fields: {
    service_id: entityId('Active or suspended service id to terminate.'),
  },
  async params(args, ctx) {
    await loadService(ctx, args.service_id);
    return { serviceid: args.service_id };
  },
});

export const orderWriteTools = [acceptOrder, cancelOrder];
export const serviceWriteTools = [suspendService, unsuspendService, terminateService];
