import { z } from 'zod';
import { toInt } from '../../whmcs/normalize.js';
import { defineTool } from '../define.js';
import { entityId, listOutput, pagingInput } from '../schemas.js';
import { actionPages, listPage } from '../shared/list-scan.js';
import { assertClientVisible } from '../shared/ownership.js';
import { contactSchema, projectContact } from './projections.js';

export const getClientContacts = defineTool({
  name: 'get_client_contacts',
  title: 'Get client contacts',
  description:
    'Lists the contacts of one client: the extra people on the account (billing, technical) with their address, phone and which kinds of email they receive. Contacts are not logins; use list_users for the people who can sign in. Paged with limit and offset.',
  toolset: 'clients',
  kind: 'read',
  risk: 'low',
  clientMode: 'owned',
  whmcsActions: ['GetClientsDetails', 'GetContacts'],
  input: z.strictObject({
    client_id: entityId('Client id whose contacts to list.'),
    ...pagingInput,
  }),
  output: listOutput(contactSchema).extend({ client_id: z.number().int() }),
  async handler(input, ctx) {
    await assertClientVisible(ctx, input.client_id);
    const page = await listPage({
      read: actionPages(ctx, 'GetContacts', { userid: input.client_id }, 'contacts'),
      // Never trust the owner filter: another client's contact must not come back.
      keep: (row) => toInt(row.userid) === input.client_id,
      serverAppliesAllFilters: true,
      offset: input.offset,
      limit: input.limit,
      noun: 'contacts',
      narrowHint: 'WHMCS is not filtering contacts by client, so ask for an earlier page',
      logger: ctx.logger,
    });
    return { client_id: input.client_id, ...page, items: page.items.map(projectContact) };
  },
  summarize(output) {
    const names = output.items
      .slice(0, 3)
      .map(
        (contact) => `${contact.id} ${`${contact.firstname} ${contact.lastname}`.trim()} <${contact.email}>`,
      )
      .join(', ');
    const more = output.has_more ? `; next page at offset ${String(output.next_offset)}` : '';
    return `Client ${output.client_id}: ${output.count} of ${output.total} contact(s)${names ? `: ${names}` : ''}${more}.`;
  },
});
