/**
 * Escaping: whatever an agent or a customer wrote (reasons, impact lines, labels, snapshot values)
 * reaches the page as text, never as markup, and without characters that reorder what is read.
 */
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../src/policy/principal.js';
import { SafeHtml, escapeHtml, html } from '../../src/server/console/html.js';
import { intentCard } from '../../src/server/console/views.js';
import type { IntentView } from '../../src/writes/engine.js';

const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)> & 'quoted'`;

const approver: Principal = {
  id: 'consumer:finance-lead',
  label: 'finance-lead',
  roles: ['approver'],
  transport: 'console',
};

function hostileIntent(): IntentView {
  return {
    id: 'wi_AAAAAAAAAAAAAAAAAAAAAA',
    action: 'AddCredit',
    params: { clientid: 1, amount: '10.00', description: HOSTILE },
    params_digest: 'd'.repeat(64),
    reason: HOSTILE,
    state: 'validated',
    risk: 'medium',
    effects: ['money'],
    entity: { kind: 'client', id: 1, client_id: 1 },
    tool: 'add_credit',
    drafted_by: 'consumer:<b>agent</b>',
    drafted_by_label: '<b>agent</b>',
    idempotency_key: null,
    created_at: '2026-01-01T10:00:00.000Z',
    updated_at: '2026-01-01T10:00:00.000Z',
    expires_at: '2099-01-01T10:00:00.000Z',
    approvals_required: 1,
    approver_role_required: 'approver',
    validation: {
      validated_at: '2026-01-01T10:00:01.000Z',
      snapshot: { note: HOSTILE },
      impact: [`client 1: credit balance 0.00 -> 10.00 USD ${HOSTILE}`],
      warnings: [HOSTILE],
      required_acknowledgements: ['large_"refund'],
      acknowledgements: [],
      cap_amount: { amount: '10.00', currency: 'USD' },
      problems: [],
    },
    result: null,
    error: null,
    version: 1,
    approvals: [],
    approvals_still_needed: 1,
  };
}

describe('the HTML template', () => {
  it('escapes interpolated text and keeps SafeHtml as it is', () => {
    expect(escapeHtml(HOSTILE)).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &#39;quoted&#39;',
    );
    const nested = html`<p title="${'"><script>'}">${[HOSTILE, html`<b>kept</b>`]}</p>`;
    expect(nested.value).toContain('title="&quot;&gt;&lt;script&gt;"');
    expect(nested.value).toContain('<b>kept</b>');
    expect(nested.value).not.toContain('<script>');
    expect(html`${null}${undefined}${false}${0}`.value).toBe('0');
    expect(new SafeHtml('<i>x</i>').toString()).toBe('<i>x</i>');
  });

  it('removes direction overrides and hidden characters from text', () => {
    // U+202E would show "credit 01" as "10 tiderc"; zero-width spaces hide text from the reader.
    expect(escapeHtml('credit \u202e01\u202c\u200b USD')).toBe('credit 01 USD');
  });
});

describe('an intent card', () => {
  it('shows a hostile reason, impact, warning, label and snapshot as text', () => {
    const page = intentCard(hostileIntent(), {
      principal: approver,
      csrfToken: 'csrf-token-value',
      returnTo: '/console/',
      changeNote: HOSTILE,
      now: '2026-01-01T11:00:00.000Z',
    }).value;
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/<img/i);
    expect(page).not.toContain('<b>agent</b>');
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(page).toContain('&lt;b&gt;agent&lt;/b&gt;');
    expect(page).toContain('value="large_&quot;refund"');
    // The approve form carries the session's CSRF token and the acknowledgement to tick.
    expect(page).toMatch(/<input type="hidden" name="csrf" value="csrf-token-value"/);
    expect(page).toMatch(/name="ack" value="large_&quot;refund" required/);
    expect(page).toContain('10.00 USD');
  });

  it('offers no decision to a reader, and warns the drafter', () => {
    const reader: Principal = { ...approver, id: 'consumer:auditor', label: 'auditor', roles: ['reader'] };
    const options = {
      csrfToken: 't',
      returnTo: '/console/',
      changeNote: null,
      now: '2026-01-01T11:00:00.000Z',
    };
    const asReader = intentCard(hostileIntent(), { ...options, principal: reader }).value;
    expect(asReader).not.toContain('/approve');
    expect(asReader).toContain('cannot approve or reject');
    const drafter: Principal = { ...approver, id: 'consumer:<b>agent</b>', label: '<b>agent</b>' };
    const asDrafter = intentCard(hostileIntent(), { ...options, principal: drafter }).value;
    expect(asDrafter).toContain('You drafted this intent');
  });
});
