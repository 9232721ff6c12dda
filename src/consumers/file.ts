/**
 * The consumer registry file (MCP_CONSUMERS_FILE): one JSON document listing who may call the HTTP
 * server, with what roles, client binding and toolsets. It holds token hashes, never tokens, and is
 * written atomically (temporary file, fsync, rename) with mode 0600.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, basename, join } from 'node:path';
import { z } from 'zod';
import { ROLES, TOOLSETS, type Role, type Toolset } from '../policy/principal.js';

export const CONSUMERS_FILE_VERSION = 1;

/** Lowercase so 'Billing-Bot' and 'billing-bot' can never be two consumers. */
export const CONSUMER_LABEL_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;

const MAX_CLIENT_ID = 2 ** 31 - 1;

const consumerRecordSchema = z.strictObject({
  label: z.string().regex(CONSUMER_LABEL_PATTERN, 'lowercase letters, digits, . _ - (at most 63)'),
  token_sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in lowercase hex'),
  roles: z.array(z.enum(ROLES)).min(1),
  client_ids: z.array(z.number().int().min(1).max(MAX_CLIENT_ID)).min(1).optional(),
  toolsets: z.array(z.enum(TOOLSETS)).min(1).optional(),
  created_at: z.iso.datetime(),
  revoked_at: z.iso.datetime().nullable(),
});

const consumersFileSchema = z
  .strictObject({
    version: z.literal(CONSUMERS_FILE_VERSION),
    consumers: z.array(consumerRecordSchema),
  })
  .superRefine((file, ctx) => {
    const labels = new Set<string>();
    const hashes = new Set<string>();
    file.consumers.forEach((consumer, index) => {
      if (labels.has(consumer.label)) {
        ctx.addIssue({ code: 'custom', path: ['consumers', index, 'label'], message: 'is used twice' });
      }
      if (hashes.has(consumer.token_sha256)) {
        ctx.addIssue({
          code: 'custom',
          path: ['consumers', index, 'token_sha256'],
          message: 'is used twice',
        });
      }
      labels.add(consumer.label);
      hashes.add(consumer.token_sha256);
    });
  });

export type ConsumerRecord = z.infer<typeof consumerRecordSchema>;
export type ConsumersFile = z.infer<typeof consumersFileSchema>;

export class ConsumersFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConsumersFileError';
  }
}

export function emptyConsumersFile(): ConsumersFile {
  return { version: CONSUMERS_FILE_VERSION, consumers: [] };
}

/** Parses and checks the file's text; the message names the entry and field at fault, never a value. */
export function parseConsumersFile(text: string, path: string): ConsumersFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConsumersFileError(`The consumers file ${path} is not valid JSON.`);
  }
  const parsed = consumersFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.map(String).join('.') || '(file)'}: ${issue.message}`);
    throw new ConsumersFileError(`The consumers file ${path} is not valid: ${problems.join('; ')}.`);
  }
  return parsed.data;
}

/** Reads the file; a missing file is an error here (callers decide whether to create one). */
export function readConsumersFile(path: string): ConsumersFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw unreadableConsumersFile(path, error);
  }
  return parseConsumersFile(text, path);
}

/** The error for a file that cannot be opened, saying how to create it when it is missing. */
export function unreadableConsumersFile(path: string, error: unknown): ConsumersFileError {
  const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
  return new ConsumersFileError(
    code === 'ENOENT'
      ? `The consumers file ${path} does not exist; create it with: whmcs-mcp consumers add --label <name> --roles reader`
      : `The consumers file ${path} cannot be read (${code}).`,
  );
}

/**
 * Replaces the file atomically: readers (the running server) see the old or the new content,
 * never half of it. The temporary file is created 0600 before anything is written to it.
 */
export function writeConsumersFile(path: string, file: ConsumersFile): void {
  const checked = consumersFileSchema.parse(file);
  const directory = dirname(path);
  const temporary = join(directory, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const descriptor = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(descriptor, `${JSON.stringify(checked, null, 2)}\n`);
    fsyncSync(descriptor);
  } catch (error) {
    closeSync(descriptor);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(descriptor);
  try {
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  // The rename itself is durable only once the directory entry is on disk.
  try {
    const directoryDescriptor = openSync(directory, 'r');
    try {
      fsyncSync(directoryDescriptor);
    } finally {
      closeSync(directoryDescriptor);
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename has still happened.
  }
}

export interface NewConsumer {
  label: string;
  roles: readonly Role[];
  clientIds?: readonly number[] | undefined;
  toolsets?: readonly Toolset[] | undefined;
}

/** A new file with the consumer added; refuses a label that exists or ever existed. */
export function addConsumerRecord(
  file: ConsumersFile,
  consumer: NewConsumer,
  tokenHash: string,
  now: Date,
): ConsumersFile {
  if (!CONSUMER_LABEL_PATTERN.test(consumer.label)) {
    throw new ConsumersFileError(
      `'${consumer.label.slice(0, 70)}' is not a usable label: lowercase letters, digits, . _ - (at most 63, starting with a letter or digit).`,
    );
  }
  const existing = file.consumers.find((record) => record.label === consumer.label);
  if (existing) {
    // Intents and approvals are bound to 'consumer:<label>'; a new consumer must not inherit them.
    throw new ConsumersFileError(
      existing.revoked_at === null
        ? `A consumer labelled '${consumer.label}' already exists; revoke it first or choose another label.`
        : `A consumer labelled '${consumer.label}' existed and was revoked; labels are never reused, choose another.`,
    );
  }
  const record: ConsumerRecord = {
    label: consumer.label,
    token_sha256: tokenHash,
    roles: [...new Set(consumer.roles)],
    ...(consumer.clientIds && consumer.clientIds.length > 0
      ? { client_ids: [...new Set(consumer.clientIds)].sort((a, b) => a - b) }
      : {}),
    ...(consumer.toolsets && consumer.toolsets.length > 0
      ? { toolsets: [...new Set(consumer.toolsets)] }
      : {}),
    created_at: now.toISOString(),
    revoked_at: null,
  };
  return { ...file, consumers: [...file.consumers, record] };
}

/** A new file with the consumer revoked; the record stays so its label is never reused. */
export function revokeConsumerRecord(file: ConsumersFile, label: string, now: Date): ConsumersFile {
  const existing = file.consumers.find((record) => record.label === label);
  if (!existing) throw new ConsumersFileError(`No consumer is labelled '${label.slice(0, 70)}'.`);
  if (existing.revoked_at !== null) {
    throw new ConsumersFileError(`The consumer '${label}' was already revoked at ${existing.revoked_at}.`);
  }
  return {
    ...file,
    consumers: file.consumers.map((record) =>
      record.label === label ? { ...record, revoked_at: now.toISOString() } : record,
    ),
  };
}
