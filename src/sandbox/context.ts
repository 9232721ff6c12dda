/**
 * What the protocol layer (server.ts) hands to each stateful action handler besides the decoded
 * parameters. Handlers never see HTTP: auth, IP checks, encodings and faults happen before and after.
 */
import type { SandboxParams } from './types.js';

export interface SandboxContext<TState = unknown> {
  /** The sandbox's data. Handlers read and change it in place; a reset replaces it wholesale. */
  readonly state: TState;
  /** The sandbox clock; dates a handler writes (payment dates, ticket replies) come from here. */
  now(): Date;
  /** The caller's IP address as WHMCS would see it (after the test-only header override). */
  readonly clientIp: string;
  /** The action as the catalog spells it (`GetInvoice`), whatever casing the caller sent. */
  readonly action: string;
  /** The admin user the request authenticated as (API credentials belong to an admin too). */
  readonly adminUsername: string;
  /** The WHMCS version the sandbox claims (XML `version` attribute; WhmcsDetails should agree). */
  readonly whmcsVersion: string;
}

/**
 * A reply body without `result` (the server puts `"result":"success"` first). Plain JSON-like
 * values only: strings, finite numbers, booleans, null, arrays and plain objects. Typed as `object`
 * so handlers may return their own interfaces.
 */
export type SandboxReply = object;

/**
 * One emulated WHMCS action. Throw SandboxApiError (src/sandbox/types.ts) for a
 * `{"result":"error","message":...}` reply; any other exception becomes an HTTP 500, as a PHP fatal
 * error would.
 */
export type SandboxHandler<TState = unknown> = (
  params: SandboxParams,
  context: SandboxContext<TState>,
) => SandboxReply | Promise<SandboxReply>;
