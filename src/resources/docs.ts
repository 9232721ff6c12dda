/**
 * The two Markdown documents: the operations playbook and the WHMCS 8/9 compatibility notes. They
 * touch no client data, so client-scoped sessions read them too.
 */
import { ALL_TOOLS } from '../tools/registry.js';
import type { ToolContext } from '../tools/define.js';
import { defineResource } from './define.js';
import { COMPAT_9X } from './docs/compat-9x.js';
import { OPS_PLAYBOOK } from './docs/ops-playbook.js';

/** What this server runs with, so the playbook's advice is read against the real settings. */
export function connectionHeader(ctx: ToolContext): string {
  const scope =
    ctx.scope.mode === 'client'
      ? `client mode, bound to client(s) ${(ctx.scope.clientIds ?? []).join(', ')}`
      : 'admin mode (every client)';
  const writeTools = ALL_TOOLS.filter((tool) => tool.kind === 'write').map((tool) => `\`${tool.name}\``);
  const writes =
    ctx.settings.mode === 'read_only'
      ? 'none offered in read_only mode'
      : writeTools.length > 0
        ? writeTools.join(', ')
        : 'none installed';
  return [
    '> This server right now:',
    `> environment \`${ctx.settings.environment}\`, mode \`${ctx.settings.mode}\`, ${scope}.`,
    `> Write tools: ${writes}.`,
    '',
    '',
  ].join('\n');
}

export const opsPlaybookResource = defineResource({
  name: 'ops-playbook',
  title: 'Operations playbook',
  description:
    'How to run and use this server safely day to day: modes, client mode, reading before writing, the write-flow and approvals, what to do with unknown intents, and 403 troubleshooting by layer (MCP policy, WHMCS API role, IP allowlist).',
  uriTemplate: 'whmcs://docs/ops-playbook',
  mimeType: 'text/markdown',
  toolset: 'system',
  clientMode: 'public',
  whmcsActions: [],
  async read(_variables, ctx) {
    return connectionHeader(ctx) + OPS_PLAYBOOK;
  },
});

export const compat9xResource = defineResource({
  name: 'compat-9x',
  title: 'WHMCS 8.x and 9.x compatibility',
  description:
    'WHMCS 8.x versus 9.x differences that matter to this server: immutable finalized invoices and credit notes in 9, what that changes for writes and reports, and how to read the WHMCS version (get_whmcs_details).',
  uriTemplate: 'whmcs://docs/compat-9x',
  mimeType: 'text/markdown',
  toolset: 'system',
  clientMode: 'public',
  whmcsActions: [],
  async read() {
    return COMPAT_9X;
  },
});
