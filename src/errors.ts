/**
 * Typed errors with stable codes. Every layer throws these; the server turns them into MCP
 * `isError` results. `message` is for the person or agent reading the result; `internal` holds the
 * upstream detail (raw body excerpt, stack of the cause) and only ever goes to the log.
 */
export const ERROR_CODES = [
  'auth_failed',
  'ip_not_allowed',
  'not_found',
  'invalid_input',
  'forbidden',
  'upstream_error',
  'upstream_unavailable',
  'timeout',
  'rate_limited',
  'not_permitted_in_mode',
  'approval_required',
  'conflict',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface WhmcsMcpErrorOptions {
  /** Upstream detail for the log; never shown to callers. */
  internal?: string;
  /** Safe, structured detail callers may see (field names, allowed values, intent state). */
  details?: Record<string, unknown>;
  /** Whether repeating the same read later may succeed (network faults, 5xx, timeouts). */
  transient?: boolean;
  cause?: unknown;
}

export class WhmcsMcpError extends Error {
  readonly code: ErrorCode;
  readonly internal: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  readonly transient: boolean;

  constructor(code: ErrorCode, message: string, options: WhmcsMcpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WhmcsMcpError';
    this.code = code;
    this.internal = options.internal;
    this.details = options.details;
    this.transient = options.transient ?? false;
  }

  /** The shape a caller may see: code, message and safe details; never `internal` or a stack. */
  toPublic(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isWhmcsMcpError(value: unknown): value is WhmcsMcpError {
  return value instanceof WhmcsMcpError;
}
