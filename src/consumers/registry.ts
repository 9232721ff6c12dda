/**
 * The running server's view of the consumer registry. It re-reads the file whenever it changes
 * (modification time, size or inode), so `whmcs-mcp consumers revoke` takes effect on the next
 * request without a restart. A file that turns unreadable or invalid fails closed: no consumer
 * token is accepted until it is fixed.
 */
import { stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Principal } from '../policy/principal.js';
import { readConsumersFile, unreadableConsumersFile, type ConsumerRecord } from './file.js';
import { isConsumerToken, matchTokenHash } from './tokens.js';

/** The principal a consumer authenticates as; its client ids are its client scope. */
export function consumerPrincipal(record: ConsumerRecord): Principal {
  return {
    id: `consumer:${record.label}`,
    label: record.label,
    roles: record.roles,
    ...(record.client_ids ? { clientScope: record.client_ids } : {}),
    ...(record.toolsets ? { toolsets: record.toolsets } : {}),
    transport: 'http',
  };
}

interface FileSignature {
  mtimeMs: number;
  ctimeMs: number;
  size: number;
  ino: number;
}

function sameSignature(a: FileSignature | undefined, b: FileSignature): boolean {
  return (
    a !== undefined &&
    a.mtimeMs === b.mtimeMs &&
    a.ctimeMs === b.ctimeMs &&
    a.size === b.size &&
    a.ino === b.ino
  );
}

export interface ConsumerRegistryStatus {
  path: string;
  /** False after a reload failed; every consumer token is refused until the file is valid again. */
  valid: boolean;
  active: number;
}

export class ConsumerRegistry {
  private active: ConsumerRecord[] = [];
  private hashes: string[] = [];
  private signature: FileSignature | undefined;
  private valid = false;
  private checking: Promise<void> | undefined;
  private readonly listeners = new Set<() => void>();

  private constructor(
    readonly path: string,
    private readonly logger: Logger,
  ) {}

  /** Opens the registry; throws ConsumersFileError when the file is missing or invalid at start. */
  static async open(path: string, logger: Logger): Promise<ConsumerRegistry> {
    const registry = new ConsumerRegistry(path, logger);
    const signature = await registry.currentSignature().catch((error: unknown) => {
      throw unreadableConsumersFile(path, error);
    });
    registry.load(readConsumersFile(path), signature);
    return registry;
  }

  /** Called after every reload, e.g. to end the sessions of a revoked consumer. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The consumer a token belongs to, or null for an unknown or revoked token. */
  async authenticate(token: string): Promise<Principal | null> {
    if (!isConsumerToken(token)) return null;
    await this.refresh();
    if (!this.valid) return null;
    const index = matchTokenHash(token, this.hashes);
    const record = index === -1 ? undefined : this.active[index];
    return record ? consumerPrincipal(record) : null;
  }

  /** Whether a principal id still names an active consumer (as of the last reload). */
  isActive(principalId: string): boolean {
    return this.valid && this.active.some((record) => `consumer:${record.label}` === principalId);
  }

  status(): ConsumerRegistryStatus {
    return { path: this.path, valid: this.valid, active: this.active.length };
  }

  /** Re-reads the file if it changed since the last read; concurrent callers share one check. */
  refresh(): Promise<void> {
    this.checking ??= this.check().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async check(): Promise<void> {
    let signature: FileSignature;
    try {
      signature = await this.currentSignature();
    } catch (error) {
      this.fail(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`);
      return;
    }
    // An unchanged file keeps its last verdict, valid or not.
    if (sameSignature(this.signature, signature)) return;
    try {
      this.load(readConsumersFile(this.path), signature);
      this.logger.info({ consumers: this.active.length }, 'consumers file reloaded');
    } catch (error) {
      this.signature = signature;
      this.fail(error instanceof Error ? error.message : String(error));
      return;
    }
    this.notify();
  }

  private fail(reason: string): void {
    const wasValid = this.valid;
    this.valid = false;
    this.active = [];
    this.hashes = [];
    if (wasValid) {
      this.logger.error(
        { path: this.path, reason },
        'consumers file is unusable: every consumer token is refused until it is fixed',
      );
      this.notify();
    }
  }

  private load(file: { consumers: ConsumerRecord[] }, signature: FileSignature): void {
    this.active = file.consumers.filter((record) => record.revoked_at === null);
    this.hashes = this.active.map((record) => record.token_sha256);
    this.signature = signature;
    this.valid = true;
  }

  private notify(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (error) {
        this.logger.error({ err: error }, 'consumers change listener threw');
      }
    }
  }

  private async currentSignature(): Promise<FileSignature> {
    const info = await stat(this.path);
    return { mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs, size: info.size, ino: info.ino };
  }
}
