import { z } from 'zod';
import { toInt } from '../../whmcs/normalize.js';
import { defineTool } from '../define.js';
import { listOutput, pageOf, pagingInput } from '../schemas.js';
import { optionalInt, rowsOf, text } from '../shared/fields.js';

const countNote = 'Null in client-scoped access, where installation-wide ticket counts are not shown.';

export const getTicketDepartments = defineTool({
  name: 'get_ticket_departments',
  title: 'Get support departments',
  description:
    'The support departments configured in WHMCS (id and name), with how many tickets each has open and awaiting a reply. Use a department id or name when reading or routing tickets.',
  toolset: 'support',
  kind: 'read',
  risk: 'low',
  clientMode: 'public',
  whmcsActions: ['GetSupportDepartments'],
  input: z.strictObject({}),
  output: z.object({
    departments: z.array(
      z.object({
        id: z.number().int(),
        name: z.string(),
        open_tickets: z.number().int().nullable().describe(countNote),
        awaiting_reply: z.number().int().nullable().describe(countNote),
      }),
    ),
  }),
  async handler(_input, ctx) {
    // Every department, not only those the API admin is a member of.
    const reply = await ctx.whmcs.call('GetSupportDepartments', { ignore_dept_assignments: true });
    const withCounts = ctx.scope.mode === 'admin';
    const departments = rowsOf(reply.departments).map((department) => ({
      id: toInt(department.id) ?? 0,
      name: text(department.name) ?? '',
      open_tickets: withCounts ? optionalInt(department.opentickets) : null,
      awaiting_reply: withCounts ? optionalInt(department.awaitingreply) : null,
    }));
    return { departments };
  },
  summarize(output) {
    const names = output.departments.map((department) => `${department.name} (${department.id})`);
    return `${output.departments.length} support department(s): ${names.join(', ') || 'none'}.`;
  },
});

export const listSupportStatuses = defineTool({
  name: 'list_support_statuses',
  title: 'List support ticket statuses',
  description:
    'The ticket statuses configured in WHMCS (Open, Answered, Customer-Reply, Closed and any custom ones) with their colour and how many tickets are in each, optionally for one department. Use these exact titles as the status filter of list_client_tickets.',
  toolset: 'support',
  kind: 'read',
  risk: 'low',
  clientMode: 'public',
  whmcsActions: ['GetSupportStatuses'],
  input: z.strictObject({
    department_id: z
      .number()
      .int()
      .min(1)
      .max(2_147_483_647)
      .optional()
      .describe('Count only tickets of this department (see get_ticket_departments).'),
    ...pagingInput,
  }),
  output: listOutput(
    z.object({
      title: z.string(),
      color: z.string().nullable(),
      ticket_count: z.number().int().nullable().describe(countNote),
    }),
  ),
  async handler(input, ctx) {
    const reply = await ctx.whmcs.call(
      'GetSupportStatuses',
      input.department_id === undefined ? {} : { deptid: input.department_id },
    );
    const withCounts = ctx.scope.mode === 'admin';
    const statuses = rowsOf(reply.statuses).map((status) => ({
      title: text(status.title) ?? '',
      color: text(status.color),
      ticket_count: withCounts ? optionalInt(status.count) : null,
    }));
    return pageOf(statuses, input.offset, input.limit);
  },
  summarize(page) {
    const statuses = page.items.map((status) =>
      status.ticket_count === null ? status.title : `${status.title} ${status.ticket_count}`,
    );
    return `${page.total} ticket status(es): ${statuses.join(', ') || 'none'}.`;
  },
});
