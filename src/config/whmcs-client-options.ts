/**
 * Maps the configuration onto the options the WHMCS client takes, so the client never depends on
 * how settings are read.
 */
import type { Logger } from 'pino';
import type { AppConfig } from './schema.js';

export interface WhmcsClientSettings {
  apiUrl: string;
  identifier: string;
  secret: string;
  accessKey: string | undefined;
  allowHttp: boolean;
  timeoutMs: number;
  connectTimeoutMs: number;
  maxResponseBytes: number;
  rateLimitPerSecond: number;
  maxConcurrency: number;
  limiter: 'local' | 'bottleneck';
  retry: { attempts: number; maxTotalMs: number };
  logger: Logger;
}

export function whmcsClientOptions(config: Pick<AppConfig, 'whmcs'>, logger: Logger): WhmcsClientSettings {
  const { whmcs } = config;
  return {
    apiUrl: whmcs.apiUrl,
    identifier: whmcs.identifier,
    secret: whmcs.secret,
    accessKey: whmcs.accessKey,
    allowHttp: whmcs.allowHttp,
    timeoutMs: whmcs.timeoutMs,
    connectTimeoutMs: whmcs.connectTimeoutMs,
    maxResponseBytes: whmcs.maxResponseBytes,
    rateLimitPerSecond: whmcs.rateLimitPerSecond,
    maxConcurrency: whmcs.maxConcurrency,
    limiter: whmcs.limiter,
    retry: { attempts: whmcs.retryAttempts, maxTotalMs: whmcs.retryMaxMs },
    logger,
  };
}
