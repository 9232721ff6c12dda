#!/usr/bin/env node
// A guided tour of whmcs-mcp against the built-in WHMCS sandbox, the way an MCP host uses it:
// the server runs as a child process over stdio, a real MCP client talks to it, and a person
// approves a write through the operator CLI. Run it with `npm run demo` (it builds first).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'dist', 'cli.js');
const workdir = mkdtempSync(join(tmpdir(), 'whmcs-mcp-demo-'));
const env = {
  PATH: process.env.PATH ?? '',
  MCP_ENV: 'development',
  MCP_MODE: 'full',
  MCP_STATE_DB: join(workdir, 'state.sqlite'),
  MCP_LOG_LEVEL: 'warn',
};

const bold = (text) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
const say = (text = '') => process.stdout.write(`${text}\n`);
const section = (title) => say(`\n${bold(title)}\n${'-'.repeat(title.length)}`);

/** The summary line the server puts before the JSON, for hosts that read text only. */
function summaryOf(result) {
  const text = result.content?.[0]?.text ?? '';
  return text.split('\n')[0];
}

async function call(client, name, args) {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) {
    const { error } = JSON.parse(result.content[0].text);
    return { ok: false, error, result };
  }
  return { ok: true, structured: result.structuredContent, summary: summaryOf(result), result };
}

function operator(args) {
  const run = spawnSync(process.execPath, [cli, ...args], { env, cwd: workdir, encoding: 'utf8' });
  return { code: run.status, out: `${run.stdout}${run.stderr}`.trim() };
}

async function main() {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cli, 'serve', '--sandbox'],
    env,
    cwd: workdir,
    stderr: 'pipe',
  });
  let serverLog = '';
  transport.stderr?.on('data', (chunk) => (serverLog += chunk.toString('utf8')));
  const client = new Client({ name: 'whmcs-mcp-demo', version: '1.0.0' });
  await client.connect(transport);

  say(bold('whmcs-mcp demo: a governed MCP server for WHMCS, against the built-in sandbox'));
  say(
    'The server below is `whmcs-mcp serve --sandbox`, spawned over stdio exactly as Cursor or Claude would.',
  );
  if (/SANDBOX MODE/.test(serverLog))
    say('(It announced on stderr that it talks to the sandbox, not a real WHMCS.)');

  section('1. What an agent sees');
  const { tools } = await client.listTools();
  const byToolset = new Map();
  for (const tool of tools) {
    const toolset = tool._meta?.['whmcs-mcp/toolset'] ?? 'other';
    byToolset.set(toolset, [...(byToolset.get(toolset) ?? []), tool.name]);
  }
  say(`${tools.length} tools:`);
  for (const [toolset, names] of byToolset) say(`  ${toolset.padEnd(9)} ${names.join(', ')}`);
  const resources = await client.listResources();
  const templates = await client.listResourceTemplates();
  const prompts = await client.listPrompts();
  say(
    `${resources.resources.length + templates.resourceTemplates.length} resources, ${prompts.prompts.length} prompts.`,
  );

  section('2. Reading');
  for (const [name, args] of [
    ['get_account_360', { client_id: 1 }],
    ['get_invoice', { invoice_id: 4 }],
    ['get_accounts_receivable_aging', {}],
    ['get_renewal_snapshot', { client_id: 1, days: 30 }],
  ]) {
    const outcome = await call(client, name, args);
    say(`${name}(${JSON.stringify(args)})`);
    say(`  -> ${outcome.ok ? outcome.summary : `${outcome.error.code}: ${outcome.error.message}`}`);
  }
  const thread = await call(client, 'get_ticket_thread', { ticket_id: 5 });
  if (thread.ok) {
    // Every customer-written text arrives wrapped; show the longest, the message with the attack.
    const wrapped = [
      ...JSON.stringify(thread.structured).matchAll(
        /\{"untrusted":true,"source":"[a-z]+","text":"(?:[^"\\]|\\.)*"\}/g,
      ),
    ];
    const longest = wrapped.map((match) => match[0]).sort((a, b) => b.length - a.length)[0] ?? '';
    say(
      'get_ticket_thread({"ticket_id":5}): a customer ticket that tries to instruct an AI agent arrives as data:',
    );
    say(`  ${longest.slice(0, 260)}...`);
  }

  section('3. A governed write: 10.00 USD of credit for client 1');
  const drafted = await call(client, 'add_credit', {
    client_id: 1,
    amount: '10.00',
    description: 'Goodwill credit for the outage on the 3rd',
    reason: 'Customer asked after the outage; demo',
  });
  if (!drafted.ok) throw new Error(`add_credit failed: ${drafted.error.message}`);
  const intent = drafted.structured;
  say(`add_credit -> ${drafted.summary}`);
  for (const line of intent.validation?.impact ?? []) say(`  impact: ${line}`);
  say(`  state: ${intent.state}; approvals still needed: ${intent.approvals_still_needed}`);

  const selfApproval = await call(client, 'approve_write_intent', {
    intent_id: intent.id,
    reason: 'I approve myself',
  });
  say(
    `The agent tries to approve its own intent -> ${selfApproval.ok ? 'ALLOWED (this would be a bug)' : `${selfApproval.error.code}: ${selfApproval.error.message}`}`,
  );

  say('\nA person approves it through the operator CLI on the server host:');
  say(`  $ whmcs-mcp intents approve ${intent.id} --as "Dana Operator" --reason "checked the outage ticket"`);
  const approved = operator([
    'intents',
    'approve',
    intent.id,
    '--as',
    'Dana Operator',
    '--reason',
    'checked the outage ticket',
  ]);
  say(approved.out.replace(/^/gm, '    '));
  if (approved.code !== 0) throw new Error('the operator approval failed');

  const executed = await call(client, 'execute_write_intent', { intent_id: intent.id });
  say(
    `\nexecute_write_intent -> ${executed.ok ? executed.summary : `${executed.error.code}: ${executed.error.message}`}`,
  );
  if (!executed.ok || executed.structured.state !== 'executed')
    throw new Error('the approved write did not execute');
  const again = await call(client, 'execute_write_intent', { intent_id: intent.id });
  say(
    `executing again returns the stored result, no second credit -> ${again.ok ? again.structured.state : again.error.code}`,
  );
  const credits = await call(client, 'get_credits', { client_id: 1 });
  say(`get_credits -> ${credits.ok ? credits.summary : credits.error.message}`);

  section('4. The audit trail');
  say('  $ whmcs-mcp audit verify');
  const verified = operator(['audit', 'verify']);
  say(`    ${verified.out}`);
  const exported = operator(['audit', 'export']);
  for (const line of exported.out.split('\n')) {
    const row = JSON.parse(line);
    say(`    #${row.seq} ${row.event.padEnd(9)} ${row.outcome.padEnd(18)} ${row.principal}`);
  }

  await client.close();
  say('\nDone. Everything ran against the sandbox; nothing real was read or changed.');
  if (verified.code !== 0) process.exitCode = 1;
}

try {
  await main();
} catch (error) {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  rmSync(workdir, { recursive: true, force: true });
}
