/**
 * The contract between the sandbox's HTTP protocol layer (server.ts: auth, encodings, faults) and
 * its stateful action handlers (actions/*.ts). Handlers see decoded parameters and the state; they
 * return the reply body WHMCS would send (without `result`, which the server adds) or throw
 * SandboxApiError for a `{"result":"error","message":...}` reply.
 */

/** A request parameter after PHP bracket decoding: `items[0][amount]=1` becomes nested values. */
export type SandboxParamValue = string | SandboxParamValue[] | { [key: string]: SandboxParamValue };

export type SandboxParams = Record<string, SandboxParamValue>;

/** WHMCS answers business errors with HTTP 200 and this message; the server shapes the reply. */
export class SandboxApiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxApiError';
  }
}

/**
 * Stored text that is not valid UTF-8 is modelled with a lone UTF-16 surrogate (U+D800..U+DFFF):
 * the JSON encoder refuses such strings as PHP's json_encode does, while XML writes them as U+FFFD.
 */
export const MALFORMED_UTF8_MARKER = '\uD800';
