/**
 * `whmcs-mcp consumers add|list|revoke`: who may call the HTTP server. A consumer is a label, the
 * SHA-256 of its token, roles, and optionally the clients and toolsets it is bound to. The token
 * is printed once, when it is created; the file only ever holds its hash.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { inspectConfig } from '../../config/index.js';
import {
  ConsumersFileError,
  addConsumerRecord,
  emptyConsumersFile,
  readConsumersFile,
  revokeConsumerRecord,
  writeConsumersFile,
  type ConsumerRecord,
  type ConsumersFile,
} from '../../consumers/file.js';
import { generateConsumerToken, hashConsumerToken } from '../../consumers/tokens.js';
import { ROLES, TOOLSETS, type Role, type Toolset } from '../../policy/principal.js';
import {
  EXIT_FAILURE,
  EXIT_OK,
  UsageError,
  defineCommand,
  defineCommandGroup,
  type CliIo,
} from '../command.js';

const fileOption = {
  type: 'string',
  valueName: 'path',
  description: 'The consumers file (default MCP_CONSUMERS_FILE)',
} as const;

/** The file to work on: --file, else MCP_CONSUMERS_FILE, relative to the working directory. */
function consumersPath(io: CliIo, file: string | undefined): string {
  const configured = file ?? inspectConfig({ env: io.env, cwd: io.cwd }).values.MCP_CONSUMERS_FILE;
  if (configured === undefined) {
    throw new UsageError(
      'set MCP_CONSUMERS_FILE (or pass --file <path>) to say where the consumers are kept',
    );
  }
  return resolve(io.cwd, configured);
}

function readOrEmpty(path: string): ConsumersFile {
  try {
    return readConsumersFile(path);
  } catch (error) {
    if (error instanceof ConsumersFileError && /does not exist/.test(error.message))
      return emptyConsumersFile();
    throw error;
  }
}

function listOf<T extends string>(value: string, known: readonly T[], what: string): T[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  const unknown = items.filter((item) => !(known as readonly string[]).includes(item));
  if (unknown.length > 0)
    throw new UsageError(`unknown ${what} ${unknown.join(', ')}; known: ${known.join(', ')}`);
  if (items.length === 0) throw new UsageError(`name at least one ${what}`);
  return items as T[];
}

function clientIds(value: string): number[] {
  const items = value.split(',').map((item) => item.trim());
  const bad = items.filter((item) => !/^[1-9]\d{0,9}$/.test(item) || Number(item) > 2 ** 31 - 1);
  if (bad.length > 0 || items.length === 0) {
    throw new UsageError('--clients must be WHMCS client ids separated by commas, e.g. 42,57');
  }
  return items.map(Number);
}

/** Runs a change to the file, turning a file problem into a message and exit 1. */
function withFile(io: CliIo, work: () => number): number {
  try {
    return work();
  } catch (error) {
    if (error instanceof ConsumersFileError) {
      io.stderr.write(`${error.message}\n`);
      return EXIT_FAILURE;
    }
    throw error;
  }
}

const addCommand = defineCommand({
  name: 'add',
  summary: 'Add a consumer and print its token once',
  description: [
    'Creates a consumer with a new random token and prints the token on stdout, once: store it in',
    'the client now, it cannot be shown again (the file keeps only its SHA-256). Roles: reader',
    '(read tools), operator (draft writes), approver (approve intents drafted by others), admin.',
    '--clients binds the consumer to those WHMCS clients: it sees nothing of any other client.',
    'Labels are never reused, even after a revocation, because intents are bound to them.',
  ].join('\n'),
  options: {
    label: {
      type: 'string',
      valueName: 'name',
      description: 'Unique name (lowercase letters, digits, . _ -)',
    },
    roles: { type: 'string', valueName: 'roles', description: `Comma-separated: ${ROLES.join(', ')}` },
    clients: {
      type: 'string',
      valueName: 'ids',
      description: 'Comma-separated WHMCS client ids to bind it to',
    },
    toolsets: {
      type: 'string',
      valueName: 'names',
      description: `Comma-separated toolsets: ${TOOLSETS.join(', ')}`,
    },
    file: fileOption,
  },
  examples: [
    'whmcs-mcp consumers add --label support-bot --roles reader --clients 42 --toolsets clients,support',
    'whmcs-mcp consumers add --label billing-agent --roles reader,operator',
    'whmcs-mcp consumers add --label finance-lead --roles approver',
  ],
  run({ options, io }) {
    if (options.label === undefined) throw new UsageError('--label <name> is required');
    if (options.roles === undefined)
      throw new UsageError('--roles <roles> is required, e.g. --roles reader,operator');
    const roles = listOf<Role>(options.roles, ROLES, 'role');
    const toolsets =
      options.toolsets === undefined ? undefined : listOf<Toolset>(options.toolsets, TOOLSETS, 'toolset');
    const clients = options.clients === undefined ? undefined : clientIds(options.clients);
    const path = consumersPath(io, options.file);
    return withFile(io, () => {
      const token = generateConsumerToken();
      const next = addConsumerRecord(
        readOrEmpty(path),
        { label: options.label ?? '', roles, clientIds: clients, toolsets },
        hashConsumerToken(token),
        new Date(),
      );
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      writeConsumersFile(path, next);
      io.stderr.write(
        `Consumer '${options.label}' added (roles ${roles.join(', ')}${clients ? `; clients ${clients.join(', ')}` : ''}${toolsets ? `; toolsets ${toolsets.join(', ')}` : ''}).\n` +
          'Its token follows on stdout, shown this once: give it to the client now as "Authorization: Bearer <token>".\n',
      );
      io.stdout.write(`${token}\n`);
      return EXIT_OK;
    });
  },
});

function describeConsumer(record: ConsumerRecord) {
  return {
    label: record.label,
    roles: record.roles,
    client_ids: record.client_ids ?? null,
    toolsets: record.toolsets ?? null,
    created_at: record.created_at,
    revoked_at: record.revoked_at,
  };
}

const listCommand = defineCommand({
  name: 'list',
  summary: 'List consumers (never tokens or hashes)',
  options: {
    json: { type: 'boolean', description: 'Print JSON' },
    file: fileOption,
  },
  run({ options, io }) {
    const path = consumersPath(io, options.file);
    return withFile(io, () => {
      const consumers = readConsumersFile(path).consumers.map(describeConsumer);
      if (options.json === true) {
        io.stdout.write(`${JSON.stringify({ consumers }, null, 2)}\n`);
        return EXIT_OK;
      }
      if (consumers.length === 0) {
        io.stdout.write(
          'No consumers yet; add one with: whmcs-mcp consumers add --label <name> --roles reader\n',
        );
        return EXIT_OK;
      }
      for (const consumer of consumers) {
        const status = consumer.revoked_at === null ? 'active' : `REVOKED ${consumer.revoked_at}`;
        io.stdout.write(
          `${consumer.label}  ${status}\n  roles ${consumer.roles.join(', ')}; clients ${consumer.client_ids?.join(', ') ?? 'all the server allows'}; toolsets ${consumer.toolsets?.join(', ') ?? 'all the server offers'}; created ${consumer.created_at}\n`,
        );
      }
      return EXIT_OK;
    });
  },
});

const revokeCommand = defineCommand({
  name: 'revoke',
  summary: 'Revoke a consumer; a running server refuses its token from the next request',
  options: {
    label: { type: 'string', valueName: 'name', description: 'The consumer to revoke' },
    file: fileOption,
  },
  examples: ['whmcs-mcp consumers revoke --label support-bot'],
  run({ options, io }) {
    if (options.label === undefined) throw new UsageError('--label <name> is required');
    const path = consumersPath(io, options.file);
    return withFile(io, () => {
      writeConsumersFile(
        path,
        revokeConsumerRecord(readConsumersFile(path), options.label ?? '', new Date()),
      );
      io.stdout.write(
        `Consumer '${options.label}' revoked. A running server refuses its token from its next request and ends its sessions.\n`,
      );
      return EXIT_OK;
    });
  },
});

export const consumersCommand = defineCommandGroup({
  name: 'consumers',
  summary: 'Manage who may call the HTTP server (bearer tokens, roles, client binding)',
  description:
    'Consumers are kept in MCP_CONSUMERS_FILE (JSON, mode 0600, token hashes only). The server re-reads the file when it changes.',
  subcommands: [addCommand, listCommand, revokeCommand],
});
