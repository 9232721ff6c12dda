/**
 * Turns what WHMCS (or whatever answers in its place: a proxy, a firewall, a maintenance page)
 * said into a typed error with a message a person can act on. The raw text stays in `internal`.
 */
import { WhmcsMcpError } from '../errors.js';

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g;

/** A WHMCS message is short and informative; trim it and strip characters that could mislead. */
export function cleanUpstreamMessage(message: string): string {
  const clean = message.replace(CONTROL_CHARS, ' ').replace(/\s+/g, ' ').trim();
  return clean.length > 300 ? `${clean.slice(0, 297)}...` : clean;
}

export function isMalformedUtf8Message(message: string): boolean {
  return /malformed utf-?8/i.test(message);
}

function writeDelivery(kind: 'read' | 'write', delivery: string): Record<string, string> {
  return kind === 'write' ? { delivery } : {};
}

/** Classifies a `result:error` reply by its message. */
export function classifyWhmcsMessage(
  rawMessage: string,
  action: string,
  kind: 'read' | 'write',
  host: string,
  status: number,
): WhmcsMcpError {
  const message = cleanUpstreamMessage(rawMessage);
  const internal = `HTTP ${status}: ${rawMessage.slice(0, 500)}`;
  // A refused write did not run: WHMCS checks credentials, IP and permissions before the action.
  const refused = writeDelivery(kind, 'not_executed');

  if (/authentication failed/i.test(message)) {
    return new WhmcsMcpError(
      'auth_failed',
      `WHMCS at ${host} rejected the API credentials (Authentication Failed). Check WHMCS_IDENTIFIER and WHMCS_SECRET against Configuration > System Settings > Manage API Credentials.`,
      { internal, details: { action, ...refused } },
    );
  }
  const ip = /invalid ip\s*([0-9a-f.:]+)/i.exec(message);
  if (ip) {
    return new WhmcsMcpError(
      'ip_not_allowed',
      `WHMCS refused this IP (${ip[1]}): add it under Configuration > System Settings > General Settings > Security > API IP Access Restriction, or set WHMCS_ACCESS_KEY.`,
      { internal, details: { action, ip: ip[1], ...refused } },
    );
  }
  if (/invalid permissions|not allowed|access denied/i.test(message)) {
    return new WhmcsMcpError(
      'forbidden',
      `The API role of this WHMCS credential does not allow ${action}. Grant it in Configuration > System Settings > Manage API Credentials > API Roles.`,
      { internal, details: { action, ...refused } },
    );
  }
  if (/command not found/i.test(message)) {
    return new WhmcsMcpError(
      'upstream_error',
      `WHMCS does not know the action ${action}; it may need a newer WHMCS version.`,
      { internal, details: { action, ...refused } },
    );
  }
  if (/not found|does not exist|no matching/i.test(message)) {
    return new WhmcsMcpError('not_found', `WHMCS: ${message}`, { internal, details: { action, ...refused } });
  }
  if (/required|invalid|must be|missing|not valid|cannot be empty/i.test(message)) {
    return new WhmcsMcpError('invalid_input', `WHMCS refused ${action}: ${message}`, {
      internal,
      details: { action, ...refused },
    });
  }
  return new WhmcsMcpError('upstream_error', `WHMCS refused ${action}: ${message}`, {
    internal,
    details: { action, ...writeDelivery(kind, 'refused') },
  });
}

export interface HttpFailureInput {
  status: number;
  body: string;
  contentType: string;
  location: string | null;
  /** The body parsed as a WHMCS reply. */
  parsed: boolean;
  action: string;
  kind: 'read' | 'write';
  host: string;
}

function looksLikeHtml(body: string, contentType: string): boolean {
  return (
    /text\/html/i.test(contentType) || /^\s*(<!doctype html|<html|<head|<body|<br\s*\/?>|<b>)/i.test(body)
  );
}

/** Classifies a reply that is not a WHMCS error reply: HTTP failures, HTML pages, empty bodies. */
export function classifyHttpFailure(input: HttpFailureInput): WhmcsMcpError | undefined {
  const { status, body, action, kind, host } = input;
  const internal = `HTTP ${status}, content-type ${input.contentType || 'none'}, ${body.length} chars: ${body.slice(0, 200)}`;
  const details = { action, status };

  if (status === 429) {
    return new WhmcsMcpError('rate_limited', `WHMCS at ${host} is rate limiting this server (HTTP 429).`, {
      transient: true,
      internal,
      details: { ...details, ...writeDelivery(kind, 'not_executed') },
    });
  }
  if (status >= 500) {
    return new WhmcsMcpError('upstream_unavailable', `WHMCS at ${host} failed with HTTP ${status}.`, {
      transient: true,
      internal,
      details: { ...details, ...writeDelivery(kind, 'unknown') },
    });
  }
  if (status >= 300 && status < 400) {
    return new WhmcsMcpError(
      'upstream_error',
      `WHMCS redirected the API call (HTTP ${status}), usually to a login or maintenance page: check WHMCS_API_URL points at the WHMCS installation.`,
      {
        internal: `${internal}; location ${input.location ?? 'none'}`,
        details: { ...details, reason: 'redirect', ...writeDelivery(kind, 'not_executed') },
      },
    );
  }
  if (status === 403) {
    return new WhmcsMcpError(
      'forbidden',
      `Something in front of WHMCS at ${host} refused the request (HTTP 403 without a WHMCS reason): check a web application firewall or server access rules.`,
      { internal, details: { ...details, ...writeDelivery(kind, 'not_executed') } },
    );
  }
  if (status === 401) {
    return new WhmcsMcpError(
      'auth_failed',
      `WHMCS at ${host} answered HTTP 401: check the API credentials and any HTTP authentication in front of WHMCS.`,
      {
        internal,
        details: { ...details, ...writeDelivery(kind, 'not_executed') },
      },
    );
  }
  if (status === 404) {
    return new WhmcsMcpError(
      'upstream_error',
      `Nothing answers at the WHMCS API path on ${host} (HTTP 404): check WHMCS_API_URL.`,
      { internal, details: { ...details, ...writeDelivery(kind, 'not_executed') } },
    );
  }
  if (status >= 400) {
    return new WhmcsMcpError('upstream_error', `WHMCS at ${host} answered HTTP ${status}.`, {
      internal,
      details: { ...details, ...writeDelivery(kind, 'unknown') },
    });
  }
  if (input.parsed) return undefined;
  if (body.trim() === '') {
    return new WhmcsMcpError('upstream_error', `WHMCS sent an empty reply to ${action}.`, {
      internal,
      details: { ...details, ...writeDelivery(kind, 'unknown') },
    });
  }
  if (looksLikeHtml(body, input.contentType)) {
    return new WhmcsMcpError(
      'upstream_error',
      `WHMCS answered ${action} with an HTML page instead of an API reply: a maintenance page, a login page, a firewall, or a PHP error. Open WHMCS in a browser and check its error log.`,
      { internal, details: { ...details, reason: 'html_page', ...writeDelivery(kind, 'unknown') } },
    );
  }
  return undefined;
}
