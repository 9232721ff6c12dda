/**
 * The console in a real browser: Debian's chromium driven by playwright-core, against the HTTP
 * server and the sandbox WHMCS. An agent drafts through MCP (SDK Streamable HTTP client), an
 * approver approves in the console, the agent executes through MCP, and the console shows the
 * audit rows and a verified chain; a reader cannot approve. The page runs under the strict CSP,
 * so this also proves the console needs no inline code and its own script loads.
 *
 * The screenshot of the pending page goes to a temporary directory; with
 * UPDATE_CONSOLE_SCREENSHOT=1 it replaces docs/console-pending.png.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_FACTS } from '../../src/sandbox/seed.js';
import { callOk } from '../helpers/mcp-harness.js';
import { startHttpHarness, type HttpHarness } from '../http/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const missing = !existsSync(CHROMIUM);
const SKIP_REASON = `${CHROMIUM} is missing (apt-get install chromium); the console browser tests are skipped`;
if (missing) console.warn(`console browser tests: ${SKIP_REASON}`);

const demo = SEED_FACTS.demoClient;
const SCREENSHOT = fileURLToPath(new URL('../../docs/console-pending.png', import.meta.url));

describe.skipIf(missing)(missing ? SKIP_REASON : 'the console in chromium (MCP_MODE=full)', () => {
  let harness: HttpHarness;
  let agent: Client;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  const tokens = { agent: '', approver: '', reader: '' };
  const cspViolations: string[] = [];
  let creditId: string;
  let suspensionId: string;

  beforeAll(async () => {
    harness = await startHttpHarness({ env: { MCP_MODE: 'full' } });
    tokens.agent = harness.addConsumer({ label: 'billing-agent', roles: ['reader', 'operator'] });
    tokens.approver = harness.addConsumer({ label: 'finance-lead', roles: ['approver'] });
    tokens.reader = harness.addConsumer({ label: 'auditor', roles: ['reader'] });
    agent = await harness.connect(tokens.agent);

    userDataDir = mkdtempSync(join(tmpdir(), 'whmcs-mcp-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => {
      if (/Content[- ]Security[- ]Policy/i.test(message.text())) cspViolations.push(message.text());
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await harness?.close();
  });

  async function signIn(token: string): Promise<void> {
    await page.goto(`${harness.server.url}/console/`);
    await page.waitForURL('**/console/sign-in');
    await page.fill('#token', token);
    await Promise.all([page.waitForURL('**/console/'), page.click('button[type=submit]')]);
  }

  it('signs in and shows the intents an agent drafted through MCP, with their impact', async () => {
    const credit = await callOk(agent, 'add_credit', {
      client_id: demo.id,
      amount: '10.00',
      reason: 'Goodwill credit for the 3-hour outage on the shared host',
    });
    creditId = String(credit.id);
    const suspension = await callOk(agent, 'suspend_service', {
      service_id: demo.services.active,
      suspension_reason: 'Overdue on Payment',
      reason: 'Invoice overdue for 45 days; suspend until paid',
    });
    suspensionId = String(suspension.id);
    expect([credit.state, suspension.state]).toEqual(['validated', 'validated']);

    await signIn(tokens.approver);
    await expect.poll(() => page.locator('header.top .who').innerText()).toContain('finance-lead');
    const card = page.locator(`#intent-${creditId}`);
    await card.waitFor();
    const text = await card.innerText();
    expect(text).toContain('AddCredit on client 1');
    expect(text).toContain('billing-agent');
    expect(text).toMatch(/credit balance 25\.00 -> 35\.00 USD/);
    expect(text).toContain('1 more approval needed');
    expect(await page.locator(`#intent-${suspensionId}`).innerText()).toContain('ModuleSuspend on service');

    const cookies = await context.cookies(`${harness.server.url}/console/`);
    const session = cookies.find((cookie) => cookie.name === 'wmcp_console');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console', secure: false });
    expect(session?.value).not.toContain(tokens.approver);
    // The console's script ran under the CSP: it put local times in the tooltips.
    expect(await page.locator('time[datetime]').first().getAttribute('title')).toBeTruthy();

    const target =
      process.env.UPDATE_CONSOLE_SCREENSHOT === '1' ? SCREENSHOT : join(userDataDir, 'pending.png');
    const png = await page.screenshot({ path: target, fullPage: true });
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('approves as the approver; the agent executes through MCP', async () => {
    const card = page.locator(`#intent-${creditId}`);
    await card.locator('input[name=reason]').first().fill('Outage confirmed in the status log');
    await Promise.all([page.waitForURL('**/console/'), card.locator('button.approve').click()]);
    const shown = await page.locator('.notice.ok').innerText();
    expect(shown).toContain('Approved');
    expect(shown).toContain(creditId);
    expect(harness.runtime.store.getIntent(creditId)?.state).toBe('approved');

    const executed = await callOk(agent, 'execute_write_intent', { intent_id: creditId });
    expect(executed.state).toBe('executed');
    expect(harness.sandbox.state.clients.get(demo.id)?.credit).toBe(3500n);
  });

  it('shows the executed intent with its audit rows, and a verified chain', async () => {
    await page.goto(`${harness.server.url}/console/intents/${creditId}`);
    expect(await page.locator('article.intent .badge').first().innerText()).toMatch(/executed/i);
    const timeline = await page.locator('table.audit tbody tr').allInnerTexts();
    const events = timeline.map((row) => row.split('\t').map((cell) => cell.trim()));
    expect(events.map((cells) => [cells[3], cells[4]])).toEqual([
      ['draft', 'success'],
      ['validate', 'success'],
      ['approve', 'success'],
      ['execute', 'started'],
      ['execute', 'success'],
    ]);
    expect(events[2]![2]).toBe('consumer:finance-lead (finance-lead)');
    expect(events[4]![2]).toBe('consumer:billing-agent (billing-agent)');

    await page.goto(`${harness.server.url}/console/audit`);
    expect(await page.locator('#chain').innerText()).toMatch(/^Audit chain verified: \d+ rows/);
    const csvLink = page.locator('a[href^="/console/audit/export.csv"]');
    const [download] = await Promise.all([page.waitForEvent('download'), csvLink.click()]);
    expect(download.suggestedFilename()).toMatch(/^whmcs-mcp-audit-\d{4}-\d{2}-\d{2}\.csv$/);
  });

  it('signs out, and a reader who signs in cannot approve', async () => {
    await Promise.all([page.waitForURL('**/console/sign-in'), page.click('header.top form button')]);
    await signIn(tokens.reader);
    expect(await page.locator('header.top .who').innerText()).toContain('auditor (reader)');
    expect(await page.locator('button.approve').count()).toBe(0);

    // The reader crafts the approval form by hand in its own page: the engine still refuses it.
    await Promise.all([
      page.waitForURL('**/console/'),
      // A string, not a function: the test's TypeScript has no DOM types.
      page.evaluate(`(() => {
        const form = document.createElement('form');
        form.method = 'post';
        form.action = '/console/intents/${suspensionId}/approve';
        form.innerHTML = '<input type="hidden" name="return_to" value="/console/">';
        form.append(document.querySelector('input[name=csrf]').cloneNode());
        document.body.append(form);
        form.submit();
      })()`),
    ]);
    const refusal = await page.locator('.notice.error').innerText();
    expect(refusal).toContain('Approval refused (forbidden)');
    expect(refusal).toContain('auditor does not hold the approver role');
    expect(harness.runtime.store.getIntent(suspensionId)?.state).toBe('validated');
    expect(cspViolations).toEqual([]);
  });
});
