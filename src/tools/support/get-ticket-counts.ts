import { z } from 'zod';
import { asList, toInt } from '../../whmcs/normalize.js';
import { defineTool } from '../define.js';
import { isRow, optionalInt, text } from '../shared/fields.js';

export const getTicketCounts = defineTool({
  name: 'get_ticket_counts',
  title: 'Get support ticket counts',
  description:
    'Installation-wide ticket counts across all departments: active tickets, tickets awaiting a staff reply, tickets flagged to the API admin, and the count per status. For the support workload at a glance; use list_client_tickets for one client.',
  toolset: 'support',
  kind: 'read',
  risk: 'low',
  clientMode: 'admin_only',
  whmcsActions: ['GetTicketCounts'],
  input: z.strictObject({}),
  output: z.object({
    all_active: z.number().int().nullable().describe('Tickets in any status WHMCS counts as active.'),
    awaiting_reply: z.number().int().nullable().describe('Tickets waiting for a staff reply.'),
    flagged_to_api_admin: z
      .number()
      .int()
      .nullable()
      .describe("Tickets flagged to the API credential's admin."),
    department_ids: z.array(z.number().int()).describe('Departments the counts cover.'),
    by_status: z.array(
      z.object({
        key: z.string().describe('WHMCS status key, e.g. customerreply.'),
        status: z.string().describe('Status title, e.g. Customer-Reply.'),
        count: z.number().int().nullable(),
      }),
    ),
  }),
  async handler(_input, ctx) {
    const reply = await ctx.whmcs.call('GetTicketCounts', {
      ignoreDepartmentAssignments: true,
      includeCountsByStatus: true,
    });
    const byStatus = isRow(reply.status) ? Object.entries(reply.status) : [];
    return {
      all_active: optionalInt(reply.allActive),
      awaiting_reply: optionalInt(reply.awaitingReply),
      flagged_to_api_admin: optionalInt(reply.flaggedTickets),
      department_ids: asList(reply.filteredDepartments)
        .map((id) => toInt(id))
        .filter((id): id is number => id !== undefined),
      by_status: byStatus.map(([key, entry]) => ({
        key,
        status: (isRow(entry) ? text(entry.title) : null) ?? key,
        count: isRow(entry) ? optionalInt(entry.count) : optionalInt(entry),
      })),
    };
  },
  summarize(counts) {
    const statuses = counts.by_status.map((entry) => `${entry.status} ${entry.count ?? '?'}`).join(', ');
    return `${counts.all_active ?? '?'} active ticket(s), ${counts.awaiting_reply ?? '?'} awaiting reply${statuses ? ` (${statuses})` : ''}.`;
  },
});
