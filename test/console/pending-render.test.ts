/**
 * How long the pending page takes with 1,000 pending intents. This measures and prints; it asserts
 * only that the page holds every intent, never a time (speed is reported, not tested).
 *
 *   npx vitest run test/console/pending-render.test.ts
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PENDING_PER_PAGE } from '../../src/server/console/index.js';
import { page, pendingBody } from '../../src/server/console/views.js';
import type { Principal } from '../../src/policy/principal.js';
import type { Intent } from '../../src/writes/types.js';
import { startHttpHarness, type HttpHarness } from '../http/helpers.js';
import { ConsoleVisitor } from './helpers.js';

const COUNT = 1_000;
const RUNS = 5;

function pendingIntent(index: number, now: Date): Intent {
  const at = new Date(now.getTime() - index * 1_000).toISOString();
  const clientId = 11 + (index % 200);
  const cents = 500 + index;
  const amount = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
  return {
    id: `wi_render${String(index).padStart(16, '0')}`,
    action: 'AddCredit',
    params: { clientid: clientId, amount, description: `Goodwill credit ${index}` },
    params_digest: index.toString(16).padStart(64, '0'),
    reason: `Goodwill credit ${index} for the outage on <shared-host-${index % 7}> & its mail`,
    state: 'validated',
    risk: 'medium',
    effects: ['money'],
    entity: { kind: 'client', id: clientId, client_id: clientId },
    tool: 'add_credit',
    drafted_by: 'consumer:billing-agent',
    drafted_by_label: 'billing-agent',
    idempotency_key: null,
    created_at: at,
    updated_at: at,
    expires_at: new Date(now.getTime() + 86_400_000).toISOString(),
    approvals_required: 1,
    approver_role_required: 'approver',
    validation: {
      validated_at: at,
      snapshot: {
        client_status: 'Active',
        client_credit: '25.00',
        last_credit_entry_id: index,
        currency: 'USD',
      },
      impact: [
        `client ${clientId}: credit balance 25.00 -> ${(25 + cents / 100).toFixed(2)} USD.`,
        `Credit log entry "Goodwill credit ${index}" of +${amount} USD.`,
      ],
      warnings:
        index % 10 === 0 ? ['The client has an overdue invoice; the credit is not applied to it.'] : [],
      required_acknowledgements: [],
      acknowledgements: [],
      cap_amount: { amount, currency: 'USD' },
      problems: [],
    },
    result: null,
    error: null,
    version: 1,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

describe(`the pending page with ${COUNT} pending intents`, () => {
  let harness: HttpHarness;
  let approver: ConsoleVisitor;

  beforeAll(async () => {
    harness = await startHttpHarness();
    const now = new Date();
    for (let index = 0; index < COUNT; index += 1) {
      const intent = pendingIntent(index, now);
      harness.runtime.store.createIntent(intent, {
        principal: 'consumer:billing-agent (billing-agent)',
        tool: 'add_credit',
        action: 'AddCredit',
        entity: `client:${intent.entity.client_id}`,
        intent_id: intent.id,
        event: 'draft',
        outcome: 'success',
        params_digest: intent.params_digest,
        detail: null,
      });
    }
    approver = new ConsoleVisitor(harness.server.url);
    await approver.signIn(harness.addConsumer({ label: 'finance-lead', roles: ['approver'] }));
  }, 180_000);
  afterAll(async () => harness?.close());

  it('measures the page over HTTP (list, render, send) and the rendering alone', async () => {
    const timed = async (path: string) => {
      const times: number[] = [];
      let body = '';
      for (let run = 0; run < RUNS; run += 1) {
        const started = performance.now();
        const answer = await approver.get(path);
        times.push(performance.now() - started);
        body = answer.body;
        expect(answer.status).toBe(200);
      }
      return { ms: median(times), body };
    };
    const all = await timed(`/console/?per_page=${COUNT}`);
    expect(all.body.match(/<article class="card intent"/g)?.length).toBe(COUNT);
    expect(all.body).toContain(`${COUNT} intents waiting`);
    const first = await timed('/console/');
    expect(first.body.match(/<article class="card intent"/g)?.length).toBe(DEFAULT_PENDING_PER_PAGE);

    // The rendering alone, from views already read.
    const principal: Principal = {
      id: 'consumer:finance-lead',
      label: 'finance-lead',
      roles: ['approver'],
      transport: 'console',
    };
    const views = harness.runtime.writeFlow.list(principal, { mode: 'admin' } as never, {
      states: ['validated'],
      limit: COUNT,
      offset: 0,
    }).items;
    const renders: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const started = performance.now();
      page(
        {
          title: 'Pending intents',
          section: 'pending',
          principal,
          csrfToken: 'x',
          glance: null,
          flash: undefined,
        },
        pendingBody(
          {
            items: views.map((view) => ({ view, changeNote: null })),
            total: COUNT,
            pageNumber: 1,
            perPage: COUNT,
            seesAll: true,
          },
          { principal, csrfToken: 'x', returnTo: '/console/', now: new Date().toISOString() },
        ),
      );
      renders.push(performance.now() - started);
    }

    const kib = (text: string) => Math.round(Buffer.byteLength(text) / 1024);
    console.log(
      [
        `console pending page, ${COUNT} pending intents (median of ${RUNS}):`,
        `  all ${COUNT} on one page over HTTP: ${all.ms.toFixed(1)} ms, ${kib(all.body)} KiB`,
        `  first page (${DEFAULT_PENDING_PER_PAGE}) over HTTP: ${first.ms.toFixed(1)} ms, ${kib(first.body)} KiB`,
        `  rendering ${COUNT} cards to HTML alone: ${median(renders).toFixed(1)} ms`,
      ].join('\n'),
    );
  }, 120_000);
});
