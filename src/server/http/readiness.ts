/**
 * /readyz: can this instance do its work? The state store must take a write (a transaction that is
 * rolled back), WHMCS must answer WhmcsDetails, and a configured consumers file must be usable.
 * The verdict is cached for a few seconds so probes cannot turn into a load on WHMCS. Failures
 * name the check and a stable code, never a URL, a credential or an upstream body.
 */
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { WhmcsMcpError } from '../../errors.js';
import type { ConsumerRegistry } from '../../consumers/registry.js';
import type { WhmcsClient } from '../../whmcs/client.js';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; code?: string }>;
}

export interface ReadinessOptions {
  /** MCP_STATE_DB as resolved; ':memory:' lives in the process and is always writable. */
  stateDbPath: string;
  whmcs: Pick<WhmcsClient, 'call'>;
  consumers?: ConsumerRegistry | undefined;
  logger: Logger;
  cacheMs?: number;
  whmcsTimeoutMs?: number;
}

export class Readiness {
  private probe: Database.Database | undefined;
  private cached: { at: number; report: ReadinessReport } | undefined;
  private running: Promise<ReadinessReport> | undefined;
  private closed = false;

  constructor(private readonly options: ReadinessOptions) {}

  check(): Promise<ReadinessReport> {
    const cacheMs = this.options.cacheMs ?? 5_000;
    if (this.cached && Date.now() - this.cached.at < cacheMs) return Promise.resolve(this.cached.report);
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  close(): void {
    this.closed = true;
    if (this.probe?.open) this.probe.close();
    this.probe = undefined;
  }

  private async run(): Promise<ReadinessReport> {
    const checks: ReadinessReport['checks'] = {};
    checks.store = this.checkStore();
    checks.whmcs = await this.checkWhmcs();
    if (this.options.consumers) {
      await this.options.consumers.refresh();
      checks.consumers = this.options.consumers.status().valid
        ? { ok: true }
        : { ok: false, code: 'unusable' };
    }
    const report = { ready: Object.values(checks).every((check) => check.ok), checks };
    if (!report.ready) this.options.logger.warn({ checks }, 'not ready');
    this.cached = { at: Date.now(), report };
    return report;
  }

  private checkStore(): { ok: boolean; code?: string } {
    if (this.closed) return { ok: false, code: 'closed' };
    if (this.options.stateDbPath === ':memory:') return { ok: true };
    try {
      // A connection of its own, so the probe can never disturb a transaction of the write-flow.
      this.probe ??= new Database(this.options.stateDbPath, { fileMustExist: true, timeout: 250 });
      const probe = this.probe;
      probe.exec('BEGIN IMMEDIATE');
      try {
        probe.exec('CREATE TABLE readiness_probe (checked INTEGER)');
      } finally {
        probe.exec('ROLLBACK');
      }
      return { ok: true };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      this.options.logger.warn({ err: error }, 'state store is not writable');
      // Reopen next time: the file may have been replaced or its directory remounted.
      try {
        this.probe?.close();
      } catch {
        // Already unusable; dropping it is all that is left to do.
      }
      this.probe = undefined;
      return { ok: false, code: typeof code === 'string' ? code.toLowerCase() : 'not_writable' };
    }
  }

  private async checkWhmcs(): Promise<{ ok: boolean; code?: string }> {
    try {
      await this.options.whmcs.call(
        'WhmcsDetails',
        {},
        {
          signal: AbortSignal.timeout(this.options.whmcsTimeoutMs ?? 5_000),
        },
      );
      return { ok: true };
    } catch (error) {
      if (error instanceof WhmcsMcpError) return { ok: false, code: error.code };
      return { ok: false, code: 'unreachable' };
    }
  }
}
