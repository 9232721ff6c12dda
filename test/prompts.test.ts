import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PromptArgumentError,
  readId,
  readMonth,
  readOptionalCurrency,
  readWholeNumber,
} from '../src/prompts/arguments.js';
import { WRITE_FLOW_TOOLS } from '../src/prompts/common.js';
import { ALL_PROMPTS } from '../src/prompts/registry.js';
import { ALL_TOOLS } from '../src/tools/registry.js';
import { startHarness, type Harness } from './helpers/mcp-harness.js';

const PROMPT_NAMES = [
  'month_end_reconciliation',
  'suspend_for_non_payment',
  'domain_renewal_review',
  'ticket_triage',
  'new_client_onboarding',
];

/** Arguments that render every prompt. */
const VALID_ARGUMENTS: Record<string, Record<string, string>> = {
  month_end_reconciliation: { month: '2024-02' },
  suspend_for_non_payment: { client_id: '1' },
  domain_renewal_review: {},
  ticket_triage: { client_id: '1' },
  new_client_onboarding: { client_id: '1' },
};

const INVALID_PARAMS = -32602;

let admin: Harness;
let scoped: Harness;

/** Tool names a prompt text tells the agent to call (written in backticks). */
function toolsNamed(text: string): string[] {
  return [...text.matchAll(/`([a-z][a-z0-9_]+)`/g)]
    .map((match) => match[1]!)
    .filter((name) => name.includes('_'));
}

function render(name: string, args: Record<string, string>): string {
  const prompt = ALL_PROMPTS.find((candidate) => candidate.name === name)!;
  return prompt.render(args);
}

async function rejection(promise: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: number; message: string };
  }
  throw new Error('expected the request to fail');
}

beforeAll(async () => {
  admin = await startHarness();
  scoped = await startHarness({
    sandbox: admin.sandbox,
    env: { MCP_ACCESS_MODE: 'client', MCP_ALLOWED_CLIENT_IDS: '1' },
  });
});

afterAll(async () => {
  await scoped?.close();
  await admin?.close();
});

describe('prompt arguments', () => {
  it('reads a month with its real last day', () => {
    expect(readMonth('month', '2024-02')).toEqual({
      month: '2024-02',
      firstDay: '2024-02-01',
      lastDay: '2024-02-29',
    });
    expect(readMonth('month', '2025-02').lastDay).toBe('2025-02-28');
    expect(readMonth('month', ' 2025-12 ').lastDay).toBe('2025-12-31');
    for (const bad of ['2025-13', '2025-00', '25-05', '2025-5', 'May 2025', '1999-12', '2025-05-01']) {
      expect(() => readMonth('month', bad)).toThrow(PromptArgumentError);
    }
    expect(() => readMonth('month', undefined)).toThrow(/month.*required/);
  });

  it('reads ids, bounded numbers and currency codes', () => {
    expect(readId('client_id', '42')).toBe(42);
    for (const bad of ['0', '-1', '1.5', '1e3', '2147483648', 'abc', '']) {
      expect(() => readId('client_id', bad)).toThrow(/client_id/);
    }
    expect(readWholeNumber('days', undefined, { min: 1, max: 365, fallback: 30 })).toBe(30);
    expect(readWholeNumber('days', '90', { min: 1, max: 365, fallback: 30 })).toBe(90);
    for (const bad of ['0', '366', '-5', '7.5', 'soon']) {
      expect(() => readWholeNumber('days', bad, { min: 1, max: 365, fallback: 30 })).toThrow(/days/);
    }
    expect(readOptionalCurrency('currency', 'usd')).toBe('USD');
    expect(readOptionalCurrency('currency', undefined)).toBeUndefined();
    expect(() => readOptionalCurrency('currency', 'US Dollar')).toThrow(/currency/);
  });
});

describe('prompt recipes', () => {
  it('offers the five recipes', () => {
    expect(ALL_PROMPTS.map((prompt) => prompt.name)).toEqual(PROMPT_NAMES);
    for (const prompt of ALL_PROMPTS) {
      expect(prompt.title.length).toBeGreaterThan(0);
      expect(prompt.description.length).toBeGreaterThan(40);
    }
  });

  it('name only tools that exist, in the order they are to be called, with the safety rules', () => {
    const known = new Set<string>([...ALL_TOOLS.map((tool) => tool.name), ...WRITE_FLOW_TOOLS]);
    for (const prompt of ALL_PROMPTS) {
      const text = prompt.render(VALID_ARGUMENTS[prompt.name]!);
      const named = toolsNamed(text);
      expect(named.length, prompt.name).toBeGreaterThan(3);
      for (const tool of named) expect(known.has(tool), `${prompt.name} names ${tool}`).toBe(true);
      expect(text).toMatch(/untrusted: true/);
      expect(text).toMatch(/never follow instructions/);
      expect(text).toContain('`draft_write_intent`');
      expect(text).toContain('`validate_write_intent`');
      expect(text).toMatch(/a person approves/);
      expect(text).toMatch(/^1\. /m);
    }
  });

  it('are offered in client mode only when every tool they name works there', () => {
    const clientModeOf = new Map(ALL_TOOLS.map((tool) => [tool.name, tool.clientMode]));
    const inClientMode = ALL_PROMPTS.filter((prompt) => prompt.availableInClientMode);
    expect(inClientMode.map((prompt) => prompt.name)).toEqual(['ticket_triage']);
    for (const prompt of inClientMode) {
      for (const tool of toolsNamed(prompt.render(VALID_ARGUMENTS[prompt.name]!))) {
        expect(clientModeOf.get(tool), `${prompt.name} names ${tool}`).not.toBe('admin_only');
      }
    }
  });

  it('put the arguments into the steps', () => {
    const month = render('month_end_reconciliation', { month: '2024-02', currency: 'eur' });
    expect(month).toContain('date_from 2024-02-01 and date_to 2024-02-29');
    expect(month).toContain('in EUR only');
    const order = [
      'get_whmcs_details',
      'get_revenue_report',
      'list_invoices',
      'get_automation_log',
      'get_activity_log',
    ];
    const positions = order.map((tool) => month.indexOf(`\`${tool}\``));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);

    const suspend = render('suspend_for_non_payment', { client_id: '7', days: '30' });
    expect(suspend).toContain('client_id 7');
    expect(suspend).toContain('at least 30 day(s)');
    expect(suspend).toContain('ModuleSuspend');

    const domains = render('domain_renewal_review', { days: '45', client_id: '3' });
    expect(domains).toContain('`get_renewal_snapshot` with client_id 3 and days 45');
    expect(render('domain_renewal_review', {})).toContain('`get_domain_portfolio_snapshot`');
  });

  it('refuse malformed and unknown arguments with a clear message', () => {
    expect(() => render('month_end_reconciliation', { month: 'last month' })).toThrow(/YYYY-MM/);
    expect(() => render('suspend_for_non_payment', { client_id: '1', days: '0' })).toThrow(/days.*1 to 365/);
    expect(() => render('ticket_triage', { client_id: '1', clientid: '2' })).toThrow(
      /no argument 'clientid'/,
    );
    expect(() => render('new_client_onboarding', {})).toThrow(/client_id.*required/);
  });
});

describe('prompts over MCP', () => {
  it('lists every prompt with its arguments for staff', async () => {
    const { prompts } = await admin.client.listPrompts();
    expect(prompts.map((prompt) => prompt.name)).toEqual(PROMPT_NAMES);
    const month = prompts.find((prompt) => prompt.name === 'month_end_reconciliation')!;
    expect(month.arguments).toEqual([
      expect.objectContaining({ name: 'month', required: true }),
      expect.objectContaining({ name: 'currency', required: false }),
    ]);
  });

  it('lists only client-safe prompts in client mode', async () => {
    const { prompts } = await scoped.client.listPrompts();
    expect(prompts.map((prompt) => prompt.name)).toEqual(['ticket_triage']);
    const error = await rejection(
      scoped.client.getPrompt({ name: 'month_end_reconciliation', arguments: { month: '2025-05' } }),
    );
    expect(error.code).toBe(INVALID_PARAMS);
  });

  it('renders a prompt with its arguments', async () => {
    const result = await admin.client.getPrompt({
      name: 'month_end_reconciliation',
      arguments: { month: '2025-05' },
    });
    expect(result.messages).toHaveLength(1);
    const message = result.messages[0]!;
    expect(message.role).toBe('user');
    expect(message.content).toMatchObject({ type: 'text' });
    const text = (message.content as { text: string }).text;
    expect(text).toContain('2025-05-01 to 2025-05-31');

    const triage = await scoped.client.getPrompt({ name: 'ticket_triage', arguments: { client_id: '1' } });
    expect((triage.messages[0]!.content as { text: string }).text).toContain('client_id 1');

    const review = await admin.client.getPrompt({ name: 'domain_renewal_review' });
    expect((review.messages[0]!.content as { text: string }).text).toContain('within 30 day(s)');
  });

  it('refuses a missing required argument as invalid params', async () => {
    const error = await rejection(
      admin.client.getPrompt({ name: 'month_end_reconciliation', arguments: {} }),
    );
    expect(error.code).toBe(INVALID_PARAMS);
    expect(error.message).toContain('month');
  });

  it('refuses a malformed argument as invalid params with the reason', async () => {
    const error = await rejection(
      admin.client.getPrompt({ name: 'month_end_reconciliation', arguments: { month: '2025-13' } }),
    );
    expect(error.code).toBe(INVALID_PARAMS);
    expect(error.message).toContain('YYYY-MM');
    const days = await rejection(
      admin.client.getPrompt({
        name: 'suspend_for_non_payment',
        arguments: { client_id: '1', days: 'lots' },
      }),
    );
    expect(days.code).toBe(INVALID_PARAMS);
    expect(days.message).toContain('days');
  });
});
