/**
 * The console's pages as functions from data to HTML. Every value from an intent, an audit row or
 * a principal goes through the escaping template; only the markup written here is trusted.
 */
import { toMoneyString } from '../../money.js';
import { hasRole, type Principal } from '../../policy/principal.js';
import { snapshotRecord, visibleParams } from '../../tools/writes/intent-view.js';
import type { IntentView } from '../../writes/engine.js';
import { INTENT_STATES } from '../../writes/states.js';
import type { AuditRow, AuditVerification } from '../../writes/types.js';
import type { Glance, StateDetails } from './glance.js';
import { html, type HtmlValue, type SafeHtml } from './html.js';
import type { Flash } from './sessions.js';

export type Section = 'pending' | 'intents' | 'audit' | 'state';

export interface PageFrame {
  title: string;
  section: Section | null;
  principal: Principal | null;
  csrfToken: string | null;
  glance: Glance | null;
  flash: Flash | undefined;
}

const NAV: ReadonlyArray<{ section: Section; href: string; label: string }> = [
  { section: 'pending', href: '/console/', label: 'Pending' },
  { section: 'intents', href: '/console/intents', label: 'All intents' },
  { section: 'audit', href: '/console/audit', label: 'Audit log' },
  { section: 'state', href: '/console/state', label: 'State' },
];

/** An ISO time as UTC text, with the machine-readable value for the local-time tooltip. */
export function time(iso: string | null | undefined): SafeHtml {
  if (!iso) return html`<span class="muted">-</span>`;
  const readable = iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC');
  return html`<time datetime="${iso}">${readable}</time>`;
}

function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${token}" />`;
}

/** A URL under /console with its query; empty values are left out. */
export function consoleHref(path: string, query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return search === '' ? path : `${path}?${search}`;
}

export function flashNotice(flash: Flash | undefined): SafeHtml {
  if (!flash) return html``;
  return html`<div class="notice ${flash.kind}" role="${flash.kind === 'error' ? 'alert' : 'status'}">
    <strong>${flash.title}</strong>
    <p>${flash.text}</p>
  </div>`;
}

function stateBar(glance: Glance): SafeHtml {
  const kill = glance.killSwitch;
  const sources = [kill.configuration ? 'configuration' : null, kill.console ? 'console' : null].filter(
    Boolean,
  );
  return html`<div class="statebar" aria-label="Server state">
    <span>Mode <strong>${glance.mode}</strong></span>
    <span>Environment <strong>${glance.environment}</strong></span>
    <span>Access <strong>${glance.accessMode}</strong></span>
    <span
      >Kill switch
      ${
        kill.engaged
          ? html`<span class="engaged">ENGAGED (${sources.join(', ')})</span>`
          : html`<strong>off</strong>`
      }</span
    >
  </div>`;
}

export function page(frame: PageFrame, body: HtmlValue): SafeHtml {
  const principal = frame.principal;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${frame.title} - whmcs-mcp console</title>
        <link rel="stylesheet" href="/console/assets/console.css" />
        <script src="/console/assets/console.js" defer></script>
      </head>
      <body>
        <header class="top">
          <span class="brand">whmcs-mcp console</span>
          ${
            principal
              ? html`<nav>
                    ${NAV.map(
                      (item) =>
                        html`<a
                          href="${item.href}"
                          ${item.section === frame.section ? html` aria-current="page"` : ''}
                          >${item.label}</a
                        >`,
                    )}
                  </nav>
                  <span class="who"
                    >Signed in as <strong>${principal.label}</strong> (${principal.roles.join(', ')})</span
                  >
                  <form method="post" action="/console/sign-out">
                    ${frame.csrfToken ? csrfField(frame.csrfToken) : ''}
                    <button type="submit">Sign out</button>
                  </form>`
              : ''
          }
        </header>
        ${frame.glance ? stateBar(frame.glance) : ''}
        <main>
          <h1>${frame.title}</h1>
          ${flashNotice(frame.flash)} ${body}
        </main>
      </body>
    </html> `;
}

// ---- sign-in ---------------------------------------------------------------------------------

export function signInBody(input: { csrfToken: string; available: boolean; problem?: string }): SafeHtml {
  if (!input.available) {
    return html`<div class="signin">
      <div class="notice warn">
        <strong>The console needs authentication.</strong>
        <p>
          This server accepts callers without a token (loopback, no MCP_CONSUMERS_FILE, OAuth or
          MCP_AUTH_TOKEN), so nobody can prove who they are here. Configure consumers (whmcs-mcp consumers
          add) and restart the server to use the console.
        </p>
      </div>
    </div>`;
  }
  return html`<div class="signin card">
    ${input.problem ? html`<div class="notice error" role="alert"><strong>${input.problem}</strong></div>` : ''}
    <p>
      Sign in with your consumer token: the same token you would give an MCP client. An operator or approver
      token can act on intents; a reader token can look but not act.
    </p>
    <form method="post" action="/console/sign-in" autocomplete="off">
      ${csrfField(input.csrfToken)}
      <label for="token">Consumer token</label>
      <input id="token" type="password" name="token" required autocomplete="off" spellcheck="false" />
      <button type="submit">Sign in</button>
    </form>
    <p class="muted">
      The token is checked once and never stored: the console keeps a random session id in a cookie that ends
      when you sign out or stay idle.
    </p>
  </div>`;
}

// ---- intents ---------------------------------------------------------------------------------

function entityText(view: IntentView): string {
  return view.entity.id === null ? view.entity.kind : `${view.entity.kind} ${String(view.entity.id)}`;
}

function amountText(view: IntentView): string | null {
  const cap = view.validation?.cap_amount;
  if (!cap) return null;
  return `${toMoneyString(cap.amount) ?? cap.amount} ${cap.currency}`;
}

function valueText(value: unknown): string {
  if (value === null || value === undefined) return '-';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function factList(record: Record<string, unknown>, empty: string): SafeHtml {
  const entries = Object.entries(record);
  if (entries.length === 0) return html`<p class="muted">${empty}</p>`;
  return html`<dl class="facts">
    ${entries.map(
      ([key, value]) =>
        html`<dt><code>${key}</code></dt>
          <dd>${valueText(value)}</dd>`,
    )}
  </dl>`;
}

function approvalsText(view: IntentView): SafeHtml {
  const given = view.approvals.map(
    (approval) =>
      html`<li>
        ${approval.decision === 'approve' ? 'Approved' : 'Rejected'} by
        <strong>${approval.approver_label}</strong>
        via ${approval.channel},
        ${time(approval.created_at)}${approval.reason ? html`: ${approval.reason}` : ''}
      </li>`,
  );
  const needed =
    view.approvals_still_needed > 0
      ? html`<p>
          <strong
            >${view.approvals_still_needed} more approval${view.approvals_still_needed === 1 ? '' : 's'}
            needed</strong
          >
          from ${view.approver_role_required === null ? 'nobody' : `the ${view.approver_role_required} role`}
          (${view.approvals_required} required in all; never the drafter).
        </p>`
      : view.state === 'approved'
        ? html`<p>Fully approved: the drafter may execute it.</p>`
        : '';
  return html`${
    given.length > 0
      ? html`<ul>
          ${given}
        </ul>`
      : html`<p class="muted">No approvals yet.</p>`
  }${needed}`;
}

export interface IntentCardOptions {
  principal: Principal;
  csrfToken: string;
  returnTo: string;
  /** What changed in WHMCS since validation, when an execution attempt found out. */
  changeNote: string | null;
  now: string;
}

function decisionForms(view: IntentView, options: IntentCardOptions): SafeHtml {
  const { principal } = options;
  const canApprove =
    view.state === 'validated' || (view.state === 'approved' && view.approvals_still_needed > 0);
  const canReject = view.state === 'validated' || view.state === 'approved';
  if (!canApprove && !canReject) return html``;
  if (!hasRole(principal, 'approver')) {
    return html`<p class="decide muted">
      Your role (${principal.roles.join(', ')}) cannot approve or reject intents; an approver decides.
    </p>`;
  }
  const acknowledgements = view.validation?.required_acknowledgements ?? [];
  const ownDraft = principal.id === view.drafted_by || principal.label === view.drafted_by_label;
  const hidden = html`${csrfField(options.csrfToken)}<input
      type="hidden"
      name="return_to"
      value="${options.returnTo}"
    />`;
  return html`<div class="decide">
    ${
      ownDraft
        ? html`<p class="notice warn">
            You drafted this intent. The write-flow refuses an approval by its drafter; another approver must
            decide.
          </p>`
        : ''
    }
    ${
      canApprove
        ? html`<form method="post" action="/console/intents/${view.id}/approve" class="approve-form">
            ${hidden}
            ${acknowledgements.map(
              (name) =>
                html`<label
                  ><input type="checkbox" name="ack" value="${name}" required /> I have read the warnings and
                  acknowledge <code>${name}</code></label
                >`,
            )}
            <label
              >Approval note (recorded with your approval)
              <input type="text" name="reason" maxlength="500" placeholder="e.g. checked with the client"
            /></label>
            <button type="submit" class="approve">Approve</button>
          </form>`
        : ''
    }
    ${
      canReject
        ? html`<form
            method="post"
            action="/console/intents/${view.id}/reject"
            class="reject-form"
            data-confirm="Reject this intent? It will never run."
          >
            ${hidden}
            <label
              >Reason for rejecting (required; the agent sees it)
              <input type="text" name="reason" maxlength="500" required
            /></label>
            <button type="submit" class="reject">Reject</button>
          </form>`
        : ''
    }
  </div>`;
}

export function intentCard(view: IntentView, options: IntentCardOptions): SafeHtml {
  const validation = view.validation;
  const amount = amountText(view);
  const lapsed = (view.state === 'validated' || view.state === 'approved') && view.expires_at <= options.now;
  return html`<article class="card intent" id="intent-${view.id}" data-intent-id="${view.id}">
    <header>
      <h3><a href="/console/intents/${view.id}">${view.action}</a> on ${entityText(view)}</h3>
      <span class="badge ${view.state}">${view.state}</span>
      <span class="badge risk-${view.risk}">risk ${view.risk}</span>
    </header>
    <dl class="facts">
      <dt>Intent</dt>
      <dd><code>${view.id}</code></dd>
      <dt>Client</dt>
      <dd>${view.entity.client_id ?? '-'}</dd>
      <dt>Drafted by</dt>
      <dd>
        <strong>${view.drafted_by_label}</strong> (<code>${view.drafted_by}</code>) through
        <code>${view.tool}</code>, ${time(view.created_at)}
      </dd>
      <dt>Expires</dt>
      <dd>${time(view.expires_at)}${lapsed ? html` <strong class="broken">lapsed</strong>` : ''}</dd>
      <dt>Effects</dt>
      <dd>${view.effects.length > 0 ? view.effects.join(', ') : 'none beyond the change itself'}</dd>
      ${
        amount
          ? html`<dt>Amount</dt>
              <dd><strong>${amount}</strong> (read from WHMCS; caps apply)</dd>`
          : ''
      }
    </dl>
    <p class="muted">Reason given by the drafter:</p>
    <div class="reason">${view.reason}</div>
    ${
      validation
        ? html`<h4>Impact</h4>
            ${
              validation.impact.length > 0
                ? html`<ul class="impact">
                    ${validation.impact.map((line) => html`<li>${line}</li>`)}
                  </ul>`
                : html`<p class="muted">No impact statement.</p>`
            }
            ${
              validation.warnings.length > 0
                ? html`<h4>Warnings</h4>
                    <ul class="warnings">
                      ${validation.warnings.map((line) => html`<li>${line}</li>`)}
                    </ul>`
                : ''
            }
            ${
              validation.problems.length > 0
                ? html`<h4>Problems</h4>
                    <ul class="problems">
                      ${validation.problems.map((line) => html`<li>${line}</li>`)}
                    </ul>`
                : ''
            }
            <details>
              <summary>Preconditions snapshot, read from WHMCS ${time(validation.validated_at)}</summary>
              ${factList(snapshotRecord(validation.snapshot), 'The validation relied on no WHMCS state.')}
            </details>
            <p>
              <strong>Since validation:</strong>
              ${
                options.changeNote ??
                'no change recorded. Execution reads these preconditions again and refuses if WHMCS moved.'
              }
            </p>`
        : html`<p class="notice warn">
            Not validated yet: the impact is unknown until the drafter validates it.
          </p>`
    }
    <details>
      <summary>Exact parameters WHMCS will receive</summary>
      ${factList(visibleParams(view.action, view.params), 'No parameters.')}
    </details>
    <h4>Approvals</h4>
    ${approvalsText(view)}
    ${
      view.result
        ? html`<p>
            <strong>Result:</strong> ${view.result.summary}${view.result.simulated ? ' [simulated]' : ''}
          </p>`
        : ''
    }
    ${view.error ? html`<p class="broken">Error ${view.error.code}: ${view.error.message}</p>` : ''}
    ${
      view.state === 'unknown'
        ? html`<p class="notice warn">
            The outcome is unknown: reconcile it (whmcs-mcp intents reconcile ${view.id}) before anything
            else.
          </p>`
        : ''
    }
    ${decisionForms(view, options)}
  </article>`;
}

function pager(
  path: string,
  query: Record<string, string | number | undefined>,
  pageNumber: number,
  pages: number,
): SafeHtml {
  if (pages <= 1) return html``;
  return html`<nav class="pager" aria-label="Pages">
    ${pageNumber > 1 ? html`<a href="${consoleHref(path, { ...query, page: pageNumber - 1 })}">Previous</a>` : ''}
    <span>Page ${pageNumber} of ${pages}</span>
    ${pageNumber < pages ? html`<a href="${consoleHref(path, { ...query, page: pageNumber + 1 })}">Next</a>` : ''}
  </nav>`;
}

export interface PendingData {
  items: Array<{ view: IntentView; changeNote: string | null }>;
  total: number;
  pageNumber: number;
  perPage: number;
  seesAll: boolean;
}

export function pendingBody(data: PendingData, options: Omit<IntentCardOptions, 'changeNote'>): SafeHtml {
  const pages = Math.max(1, Math.ceil(data.total / data.perPage));
  return html`<p>
      ${data.total} intent${data.total === 1 ? '' : 's'} waiting for a decision, for execution, or for
      reconciliation${data.seesAll ? '' : ' (you see the ones you drafted; approvers see all)'}.
    </p>
    ${data.items.length === 0 ? html`<p class="muted">Nothing is pending.</p>` : ''}
    ${data.items.map(({ view, changeNote }) => intentCard(view, { ...options, changeNote }))}
    ${pager('/console/', { per_page: data.perPage === 100 ? undefined : data.perPage }, data.pageNumber, pages)}`;
}

export interface IntentFilters {
  state: string;
  action: string;
  principal: string;
  since: string;
  until: string;
}

export interface IntentListData {
  filters: IntentFilters;
  items: IntentView[];
  total: number;
  pageNumber: number;
  perPage: number;
  seesAll: boolean;
}

export function intentListBody(data: IntentListData): SafeHtml {
  const filters = data.filters;
  const pages = Math.max(1, Math.ceil(data.total / data.perPage));
  return html`<form class="filters" method="get" action="/console/intents">
      <label
        >State
        <select name="state">
          <option value="">any</option>
          ${INTENT_STATES.map(
            (state) =>
              html`<option value="${state}" ${state === filters.state ? html` selected` : ''}>
                ${state}
              </option>`,
          )}
        </select></label
      >
      <label
        >Action <input type="text" name="action" value="${filters.action}" placeholder="AddCredit"
      /></label>
      <label
        >Drafted by
        <input type="text" name="principal" value="${filters.principal}" placeholder="consumer:billing-agent"
      /></label>
      <label>From <input type="date" name="since" value="${filters.since}" /></label>
      <label>Until <input type="date" name="until" value="${filters.until}" /></label>
      <button type="submit">Filter</button>
      <a href="/console/intents">Clear</a>
    </form>
    <p>
      ${data.total}
      intent${data.total === 1 ? '' : 's'}${data.seesAll ? '' : ' drafted by you (approvers see all)'}.
    </p>
    <table>
      <thead>
        <tr>
          <th>Drafted</th>
          <th>Intent</th>
          <th>Action</th>
          <th>Entity</th>
          <th>State</th>
          <th>Risk</th>
          <th>Amount</th>
          <th>Drafted by</th>
        </tr>
      </thead>
      <tbody>
        ${data.items.map(
          (view) =>
            html`<tr>
              <td>${time(view.created_at)}</td>
              <td>
                <a href="/console/intents/${view.id}"><code>${view.id}</code></a>
              </td>
              <td>${view.action}</td>
              <td>${entityText(view)}</td>
              <td><span class="badge ${view.state}">${view.state}</span></td>
              <td>${view.risk}</td>
              <td>${amountText(view) ?? '-'}</td>
              <td>${view.drafted_by_label} <code class="muted">${view.drafted_by}</code></td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${pager('/console/intents', { ...filters }, data.pageNumber, pages)}`;
}

function auditDetail(row: AuditRow): string {
  return row.detail === null ? '' : JSON.stringify(row.detail);
}

function auditTable(rows: readonly AuditRow[], linkFilters: boolean): SafeHtml {
  const filterLink = (key: string, value: string | null) =>
    value === null
      ? html`<span class="muted">-</span>`
      : linkFilters
        ? html`<a href="${consoleHref('/console/audit', { [key]: value })}">${value}</a>`
        : html`${value}`;
  return html`<table class="audit">
    <thead>
      <tr>
        <th>Row</th>
        <th>At</th>
        <th>Principal</th>
        <th>Event</th>
        <th>Outcome</th>
        <th>Action</th>
        <th>Entity</th>
        <th>Intent</th>
        <th>Detail</th>
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (row) =>
          html`<tr data-seq="${row.seq}">
            <td>${row.seq}</td>
            <td>${time(row.at)}</td>
            <td>${filterLink('principal', row.principal)}</td>
            <td>${filterLink('event', row.event)}</td>
            <td>${row.outcome}</td>
            <td>${row.action || '-'}</td>
            <td>${row.entity ?? '-'}</td>
            <td>
              ${
                row.intent_id === null
                  ? html`<span class="muted">-</span>`
                  : html`<a href="/console/intents/${row.intent_id}"><code>${row.intent_id}</code></a>`
              }
            </td>
            <td class="detail mono">${auditDetail(row)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export function intentDetailBody(
  view: IntentView,
  timeline: readonly AuditRow[],
  options: IntentCardOptions,
): SafeHtml {
  return html`${intentCard(view, options)}
    <h2>Timeline</h2>
    <p class="muted">Every audit row of this intent, oldest first.</p>
    ${auditTable(timeline, false)}`;
}

/** A chain verification and when it ran. */
export interface CheckedChain {
  result: AuditVerification;
  checkedAt: number;
}

export function verificationNotice(chain: CheckedChain): SafeHtml {
  const { result } = chain;
  const when = html`checked ${time(new Date(chain.checkedAt).toISOString())} (<a
      href="/console/audit?verify=now"
      >check again</a
    >)`;
  return result.ok
    ? html`<div class="notice ok" role="status" id="chain">
        <span class="verified">Audit chain verified</span>: ${result.rows} row${result.rows === 1 ? '' : 's'},
        head <code>${result.head_hash ?? '-'}</code>; ${when}.
      </div>`
    : html`<div class="notice error" role="alert" id="chain">
        <span class="broken">AUDIT CHAIN BROKEN at row ${result.first_bad_seq ?? '?'}</span>:
        ${result.problem ?? 'unknown problem'} (${result.rows} row${result.rows === 1 ? '' : 's'} verified
        before it); ${when}.
      </div>`;
}

export interface AuditFilters {
  principal: string;
  event: string;
  intent: string;
  from: string;
}

export interface AuditData {
  filters: AuditFilters;
  verification: CheckedChain;
  rows: AuditRow[];
  total: number;
  pageNumber: number;
  perPage: number;
}

export function auditBody(data: AuditData): SafeHtml {
  const filters = data.filters;
  const query = { ...filters };
  const pages = Math.max(1, Math.ceil(data.total / data.perPage));
  return html`${verificationNotice(data.verification)}
    <form class="filters" method="get" action="/console/audit">
      <label
        >Principal
        <input type="text" name="principal" value="${filters.principal}" placeholder="consumer:x (x)"
      /></label>
      <label>Event <input type="text" name="event" value="${filters.event}" placeholder="approve" /></label>
      <label>Intent <input type="text" name="intent" value="${filters.intent}" placeholder="wi_..." /></label>
      <label>After row <input type="number" name="from" min="0" value="${filters.from}" /></label>
      <button type="submit">Filter</button>
      <a href="/console/audit">Clear</a>
    </form>
    <p>
      ${data.total} row${data.total === 1 ? '' : 's'} match, newest first. Export what matches:
      <a href="${consoleHref('/console/audit/export.csv', query)}" download>CSV</a>,
      <a href="${consoleHref('/console/audit/export.jsonl', query)}" download>JSON lines</a>.
    </p>
    ${auditTable(data.rows, true)} ${pager('/console/audit', query, data.pageNumber, pages)}`;
}

// ---- state -----------------------------------------------------------------------------------

function capText(cap: StateDetails['perActionCap']): string {
  if (cap.amount === null) return 'not set: money-moving writes are refused until it is (production)';
  return `${cap.amount}${cap.source === 'default' ? ' (default outside production)' : ''}`;
}

function minutes(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : `${Math.round(ms / 60_000)} min`;
}

export function stateBody(
  details: StateDetails,
  options: { principal: Principal; csrfToken: string },
): SafeHtml {
  const kill = details.killSwitch;
  const admin = hasRole(options.principal, 'admin');
  return html`<dl class="facts card">
      <dt>Mode</dt>
      <dd><strong>${details.mode}</strong></dd>
      <dt>Environment</dt>
      <dd>${details.environment}</dd>
      <dt>Access mode</dt>
      <dd>${details.accessMode}</dd>
      <dt>Kill switch (configuration)</dt>
      <dd>
        ${
          kill.configuration
            ? html`<span class="broken">engaged</span> by MCP_WRITES_DISABLED (change the configuration and
                restart to release)`
            : 'off'
        }
      </dd>
      <dt>Kill switch (console)</dt>
      <dd>${kill.console ? html`<span class="broken">engaged</span>` : 'off'}</dd>
      <dt>Writes</dt>
      <dd>
        ${
          kill.engaged
            ? html`<strong class="broken">refused at execution: nothing is sent to WHMCS</strong>`
            : details.mode === 'read_only'
              ? 'refused: read_only mode'
              : details.mode === 'simulate'
                ? 'simulated: WHMCS is not changed'
                : 'executed after approval'
        }
      </dd>
      <dt>Per-action cap</dt>
      <dd>${capText(details.perActionCap)}</dd>
      <dt>Daily cap</dt>
      <dd>${capText(details.dailyCap)} per currency, per UTC day</dd>
      <dt>Dual approval from</dt>
      <dd>${details.dualApprovalThreshold ?? 'never (one approval)'}</dd>
      <dt>Auto-approve low risk</dt>
      <dd>${details.autoApprove ? 'on (full mode, low-risk writes without effects)' : 'off'}</dd>
      <dt>Write allowlist</dt>
      <dd>
        ${
          details.writeAllowlist.length > 0
            ? details.writeAllowlist.join(', ')
            : details.environment === 'production'
              ? 'empty: no write runs in production'
              : 'not set (only checked in production)'
        }
      </dd>
      <dt>Approval lifetime</dt>
      <dd>${minutes(details.approvalTtlMs)}</dd>
      <dt>Intent lifetime</dt>
      <dd>${minutes(details.intentTtlMs)}</dd>
    </dl>
    <h2>Used today (${details.day}, UTC)</h2>
    ${
      details.usedToday.length === 0
        ? html`<p class="muted">No money-moving write has an amount in any currency lately.</p>`
        : html`<table>
            <thead>
              <tr>
                <th>Currency</th>
                <th>Used today</th>
                <th>Left under the daily cap</th>
              </tr>
            </thead>
            <tbody>
              ${details.usedToday.map(
                (use) =>
                  html`<tr>
                    <td>${use.currency}</td>
                    <td>${use.used}</td>
                    <td>${use.remaining ?? '-'}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
    <h2>Console kill switch</h2>
    ${
      admin
        ? html`<form
            method="post"
            action="/console/kill-switch"
            class="card"
            data-confirm="${
              kill.console
                ? 'Release the console kill switch? Approved writes will run again.'
                : 'Engage the kill switch? No write will be sent to WHMCS until it is released.'
            }"
          >
            ${csrfField(options.csrfToken)}
            <input type="hidden" name="action" value="${kill.console ? 'release' : 'engage'}" />
            <label>Reason (recorded in the audit) <input type="text" name="reason" maxlength="500" /></label>
            <button type="submit" class="${kill.console ? '' : 'danger'}">
              ${kill.console ? 'Release the kill switch' : 'Engage the kill switch'}
            </button>
            ${
              kill.configuration
                ? html`<p class="muted">
                    MCP_WRITES_DISABLED keeps writes refused whatever the console says.
                  </p>`
                : ''
            }
          </form>`
        : html`<p class="muted">Only an admin can engage or release the console kill switch.</p>`
    }`;
}

export function messageBody(text: string, link?: { href: string; label: string }): SafeHtml {
  return html`<p>${text}</p>
    ${link ? html`<p><a href="${link.href}">${link.label}</a></p>` : ''}`;
}
