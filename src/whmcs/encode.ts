/**
 * Encodes WHMCS request parameters as an application/x-www-form-urlencoded body with PHP bracket
 * notation, the form WHMCS's PHP reads into nested arrays: `items[0][description]=Hosting`.
 */
import { WhmcsMcpError } from '../errors.js';

export type WhmcsParamValue =
  | string
  | number
  | boolean
  | bigint
  | null
  | undefined
  | readonly WhmcsParamValue[]
  | { readonly [key: string]: WhmcsParamValue };

export type WhmcsParams = { readonly [key: string]: WhmcsParamValue };

/** Names the client sets itself; a caller's parameter must never replace the credentials or the action. */
export const RESERVED_PARAM_NAMES: ReadonlySet<string> = new Set([
  'action',
  'identifier',
  'secret',
  'accesskey',
  'username',
  // With legacy authentication `password` is the admin's password hash; never a caller's field.
  'password',
  'responsetype',
]);

function scalarToString(value: string | number | boolean | bigint): string {
  // PHP reads "false" as a truthy string, so booleans travel as 1 and 0.
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new WhmcsMcpError(
      'invalid_input',
      `A parameter value must be a finite number, not ${String(value)}.`,
    );
  }
  return String(value);
}

function appendValue(form: URLSearchParams, key: string, value: WhmcsParamValue): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    value.forEach((item: WhmcsParamValue, index: number) => appendValue(form, `${key}[${index}]`, item));
    return;
  }
  if (typeof value === 'object') {
    for (const [childKey, child] of Object.entries(value as { [key: string]: WhmcsParamValue })) {
      appendValue(form, `${key}[${childKey}]`, child);
    }
    return;
  }
  form.append(key, scalarToString(value));
}

/** Flattens parameters into form fields; undefined and null values are left out. */
export function encodeParams(
  params: WhmcsParams,
  form: URLSearchParams = new URLSearchParams(),
): URLSearchParams {
  for (const [key, value] of Object.entries(params)) {
    if (RESERVED_PARAM_NAMES.has(key.toLowerCase())) {
      throw new WhmcsMcpError(
        'invalid_input',
        `'${key}' is set by the server itself and cannot be passed as a WHMCS parameter.`,
        { details: { field: key } },
      );
    }
    appendValue(form, key, value);
  }
  return form;
}
