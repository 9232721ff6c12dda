// Command-line options of the production test harness. Parsing is strict: an unknown option or
// layer is a usage error (exit 2), never a silently smaller run.
import { parseArgs } from 'node:util';

/** Layers in the order they run; hygiene runs last so it scans every output the run produced. */
export const LAYERS = [
  'connectivity',
  'auth',
  'discovery',
  'contract',
  'reads',
  'filters',
  'pagination',
  'access',
  'validation',
  'writes',
  'live-writes',
  'hygiene',
];

export const EXIT_PASS = 0;
export const EXIT_FAIL = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {}

export const USAGE = `Usage: node scripts/production-test.mjs [options]      (npm run harness -- [options])

Runs layered checks against a whmcs-mcp server the way an MCP host connects to it, and writes a
JSON report. Read-only against a real WHMCS unless --allow-writes is given.

Target (default: this project's \`node dist/cli.js serve\`, environment passed through):
  --sandbox                 Add --sandbox to the server command (built-in WHMCS sandbox)
  --command "CMD ARGS"      Another stdio server command (quotes group words)
  --url URL                 An HTTP server's MCP endpoint, e.g. https://mcp.example.com/mcp
  --token TOKEN             Its bearer token (or HARNESS_TOKEN)
  --approver-token TOKEN    An approver consumer's token, for the write-flow over HTTP
                            (or HARNESS_APPROVER_TOKEN)
  --client-id N             The client to test with (admin), or the bound client when the
                            server cannot say which it is (a client-bound HTTP consumer)

What runs:
  --only LAYER              Only these layers (repeatable or comma list); the connection and the
                            discovery they rely on always run. Layers: ${LAYERS.join(', ')}
  --allow-writes            Also make one real, labelled write (a staff note on a ticket) on a
                            non-production WHMCS whose server runs in full mode
  --strict                  Count skipped checks as failures
  --timeout MS              Longest wait for one call (default 30000)
  --list                    Print the checks and exit without connecting

Output:
  --report PATH             JSON report (default harness-report.json in the working directory)
  -h, --help                This text

Exit: 0 every selected check passed, 1 a check failed, 2 usage error or refused run.`;

function positiveInteger(name, value, max = Number.MAX_SAFE_INTEGER) {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new UsageError(`--${name} must be a whole number from 1 to ${max}`);
  }
  return Number(value);
}

/** Splits a command line into words; single or double quotes keep spaces inside a word. */
export function splitCommand(line) {
  const words = [];
  let current = '';
  let quote = null;
  let started = false;
  for (const char of line) {
    if (quote !== null) {
      if (char === quote) quote = null;
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      started = true;
    } else if (/\s/.test(char)) {
      if (started) words.push(current);
      current = '';
      started = false;
    } else {
      current += char;
      started = true;
    }
  }
  if (quote !== null) throw new UsageError('--command has an unclosed quote');
  if (started) words.push(current);
  return words;
}

export function parseOptions(argv, env) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        sandbox: { type: 'boolean', default: false },
        command: { type: 'string' },
        url: { type: 'string' },
        token: { type: 'string' },
        'approver-token': { type: 'string' },
        'client-id': { type: 'string' },
        only: { type: 'string', multiple: true },
        'allow-writes': { type: 'boolean', default: false },
        strict: { type: 'boolean', default: false },
        timeout: { type: 'string' },
        list: { type: 'boolean', default: false },
        report: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const values = parsed.values;
  const only = (values.only ?? [])
    .flatMap((entry) => entry.split(','))
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  const unknown = only.filter((layer) => !LAYERS.includes(layer));
  if (unknown.length > 0) {
    throw new UsageError(`unknown layer ${unknown.join(', ')}; layers: ${LAYERS.join(', ')}`);
  }
  if (values.only !== undefined && only.length === 0) throw new UsageError('--only needs a layer name');

  const url = values.url;
  if (url !== undefined) {
    let parsedUrl;
    try {
      parsedUrl = new URL(url);
    } catch {
      throw new UsageError(`--url is not a URL: ${url}`);
    }
    if (parsedUrl.protocol !== 'http:' && parsedUrl.protocol !== 'https:') {
      throw new UsageError('--url must be an http:// or https:// address');
    }
    if (values.sandbox || values.command !== undefined) {
      throw new UsageError('--url connects to a running server; --sandbox and --command start one');
    }
  }
  const command = values.command === undefined ? undefined : splitCommand(values.command);
  if (command !== undefined && command.length === 0) throw new UsageError('--command is empty');
  if (command !== undefined && values.sandbox) {
    throw new UsageError('--sandbox applies to the default server command; add it to --command instead');
  }
  const token = values.token ?? (env.HARNESS_TOKEN || undefined);
  const approverToken = values['approver-token'] ?? (env.HARNESS_APPROVER_TOKEN || undefined);
  if (url === undefined && (values.token !== undefined || values['approver-token'] !== undefined)) {
    throw new UsageError(
      '--token and --approver-token apply to --url (HTTP); over stdio the operator CLI approves',
    );
  }

  return {
    help: values.help,
    list: values.list,
    sandbox: values.sandbox,
    command,
    url,
    token: url === undefined ? undefined : token,
    approverToken: url === undefined ? undefined : approverToken,
    clientId: positiveInteger('client-id', values['client-id'], 2_147_483_647),
    only: only.length > 0 ? [...new Set(only)] : null,
    allowWrites: values['allow-writes'],
    strict: values.strict,
    timeoutMs: positiveInteger('timeout', values.timeout, 600_000) ?? 30_000,
    report: values.report ?? 'harness-report.json',
  };
}
