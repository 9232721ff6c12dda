/**
 * Calls an emulated action directly, without HTTP: for tests of the business rules and for tools
 * that want the sandbox's data in-process. Parameters are stringified the way a form body would
 * carry them, and the reply carries `result` as WHMCS's would.
 */
import { SandboxApiError } from '../types.js';
import type { SandboxParamValue, SandboxParams } from '../types.js';
import type { SandboxState } from '../state.js';
import { sandboxHandlers } from './index.js';

/** What a caller may pass: numbers and booleans become the strings a form would send. */
export type DirectParamValue =
  string | number | boolean | DirectParamValue[] | { [key: string]: DirectParamValue };

export interface DirectCallOptions {
  /** The sandbox clock; default the system clock. */
  now?: () => Date;
  adminUsername?: string;
  clientIp?: string;
  whmcsVersion?: string;
}

export type DirectReply =
  ({ result: 'success' } & Record<string, unknown>) | { result: 'error'; message: string };

function toParamValue(value: DirectParamValue): SandboxParamValue {
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(toParamValue);
  const out: { [key: string]: SandboxParamValue } = {};
  for (const [key, entry] of Object.entries(value)) out[key] = toParamValue(entry);
  return out;
}

export async function callAction(
  state: SandboxState,
  action: string,
  params: Record<string, DirectParamValue> = {},
  options: DirectCallOptions = {},
): Promise<DirectReply> {
  const handler = sandboxHandlers[action];
  if (!handler) throw new Error(`action ${action} is not emulated by the sandbox`);
  const decoded: SandboxParams = {};
  for (const [key, value] of Object.entries(params)) decoded[key] = toParamValue(value);
  try {
    const reply = await handler(decoded, {
      state,
      now: options.now ?? (() => new Date()),
      clientIp: options.clientIp ?? '127.0.0.1',
      action,
      adminUsername: options.adminUsername ?? 'admin',
      whmcsVersion: options.whmcsVersion ?? state.whmcsVersion,
    });
    return { result: 'success', ...(reply as Record<string, unknown>) };
  } catch (error) {
    if (error instanceof SandboxApiError) return { result: 'error', message: error.message };
    throw error;
  }
}
