import { z } from 'zod';
import { toInt } from '../../whmcs/normalize.js';
import { defineTool } from '../define.js';
import { entityId } from '../schemas.js';
import { loadService } from '../shared/ownership.js';
import { CURRENCY_ACTIONS, Currencies } from '../shared/currencies.js';
import { describeService, projectService, serviceSchema } from './projections.js';
import { rowsOf } from '../shared/fields.js';

export const getServiceDetails = defineTool({
  name: 'get_service_details',
  title: 'Get service details',
  description:
    "One client service (hosting account, VPS, product): product and group, domain, status, billing cycle, amounts in the client's currency, next due date, the server it runs on, suspension reason, addons, configurable options and custom fields. The service password is never returned. Use list_client_services to find a service id.",
  toolset: 'services',
  kind: 'read',
  risk: 'low',
  clientMode: 'owned',
  whmcsActions: ['GetClientsProducts', 'GetClientsAddons', ...CURRENCY_ACTIONS],
  input: z.strictObject({ service_id: entityId('The service id (tblhosting.id).') }),
  output: serviceSchema,
  async handler(input, ctx) {
    const service = await loadService(ctx, input.service_id);
    const clientId = toInt(service.clientid);
    const [currency, addonsReply] = await Promise.all([
      new Currencies(ctx).forClient(clientId),
      ctx.whmcs.call('GetClientsAddons', { serviceid: input.service_id }),
    ]);
    // GetClientsAddons filters by service; keep only this service's rows in case a version does not.
    const addons = rowsOf(addonsReply.addons).filter((addon) => toInt(addon.serviceid) === input.service_id);
    return projectService(service, currency, addons);
  },
  summarize(service) {
    const addons = service.addons.length > 0 ? `; ${service.addons.length} addon(s)` : '';
    const reason = service.suspension_reason ? `; suspended: ${service.suspension_reason}` : '';
    return `${describeService(service)}${reason}${addons}.`;
  },
});
