import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPLY_SHAPES } from '../../src/whmcs/generated/reply-shapes.js';
import type { ReplyShape } from '../../src/whmcs/normalize.js';

interface Catalog {
  actions: Record<string, { exampleResponse: unknown; response: Array<{ name: string; type: string }> }>;
}

interface ReplyShapesGenerator {
  readCatalog(path?: string): Catalog;
  buildReplyShapes(catalog: Catalog): Record<string, ReplyShape>;
  renderReplyShapes(catalog: Catalog): Promise<string>;
  unflattenBracketKeys(reply: unknown): unknown;
}

interface FixturesGenerator {
  renderFixtures(catalog: Catalog): Record<string, string>;
  findFixtureDrift(files: Record<string, string>): string[];
}

const ROOT = new URL('../../', import.meta.url);
const SHAPES_SCRIPT = fileURLToPath(new URL('scripts/generate-reply-shapes.mjs', ROOT));
const FIXTURES_SCRIPT = fileURLToPath(new URL('scripts/generate-fixtures.mjs', ROOT));

// The generators are plain ESM scripts without type declarations; these are the parts tests use.
const shapesGenerator = (await import(
  new URL('scripts/generate-reply-shapes.mjs', ROOT).href
)) as ReplyShapesGenerator;
const fixturesGenerator = (await import(
  new URL('scripts/generate-fixtures.mjs', ROOT).href
)) as FixturesGenerator;
const catalog = shapesGenerator.readCatalog();

const run = promisify(execFile);

async function exitCodeOf(script: string, args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await run(process.execPath, [script, ...args], { cwd: fileURLToPath(ROOT) });
    return { code: 0, stderr };
  } catch (error) {
    const failed = error as { code?: number; stderr?: string };
    return { code: failed.code ?? -1, stderr: failed.stderr ?? '' };
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'whmcs-reply-shapes-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the catalog in which GetInvoice's example no longer shows `transactions`. */
function driftedCatalogPath(): string {
  const drifted = structuredClone(catalog);
  const invoice = drifted.actions.GetInvoice!;
  const example = invoice.exampleResponse as Record<string, unknown>;
  delete example.transactions;
  invoice.response = invoice.response.filter((field) => field.name !== 'transactions');
  const path = join(scratch, 'catalog.json');
  writeFileSync(path, JSON.stringify(drifted));
  return path;
}

describe('generated files match their generators', () => {
  it('src/whmcs/generated/reply-shapes.ts is what the catalog produces', async () => {
    const committed = readFileSync(new URL('src/whmcs/generated/reply-shapes.ts', ROOT), 'utf8');
    expect(committed).toBe(await shapesGenerator.renderReplyShapes(catalog));
    expect(Object.keys(REPLY_SHAPES).sort()).toEqual(Object.keys(catalog.actions).sort());
  });

  it('test/fixtures/whmcs holds exactly the catalog examples', () => {
    const files = fixturesGenerator.renderFixtures(catalog);
    expect(Object.keys(files)).toHaveLength(162);
    expect(fixturesGenerator.findFixtureDrift(files)).toEqual([]);
    for (const [file, text] of Object.entries(files)) {
      const action = file.slice(0, -'.json'.length);
      expect(JSON.parse(text), action).toEqual(catalog.actions[action]!.exampleResponse);
    }
  });

  it('--check passes on the committed files', async () => {
    const shapes = await exitCodeOf(SHAPES_SCRIPT, ['--check']);
    expect(shapes.code, shapes.stderr).toBe(0);
    const fixtures = await exitCodeOf(FIXTURES_SCRIPT, ['--check']);
    expect(fixtures.code, fixtures.stderr).toBe(0);
  });

  it('--check fails when the catalog moved on', async () => {
    const path = driftedCatalogPath();
    const shapes = await exitCodeOf(SHAPES_SCRIPT, ['--check', '--catalog', path]);
    expect(shapes.code).toBe(1);
    expect(shapes.stderr).toMatch(/reply-shapes\.ts differs/);
    const fixtures = await exitCodeOf(FIXTURES_SCRIPT, ['--check', '--catalog', path]);
    expect(fixtures.code).toBe(1);
    expect(fixtures.stderr).toMatch(/GetInvoice\.json is stale/);
  });
});

/** Every wrapped list a shape declares, as `path -> wrapper`. */
function wrappersOf(shape: ReplyShape, path = ''): string[] {
  return [
    ...Object.entries(shape.lists ?? {}).flatMap(([name, list]) => [
      ...(list.wrapper === null ? [] : [`${path}${name}.${list.wrapper}`]),
      ...(list.item ? wrappersOf(list.item, `${path}${name}[].`) : []),
    ]),
    ...Object.entries(shape.objects ?? {}).flatMap(([name, child]) => wrappersOf(child, `${path}${name}.`)),
    ...Object.entries(shape.maps ?? {}).flatMap(([name, map]) =>
      map.entry ? wrappersOf(map.entry, `${path}${name}{}.`) : [],
    ),
  ];
}

describe('reply shapes derived from the catalog', () => {
  const allWrappers = Object.entries(REPLY_SHAPES).flatMap(([action, shape]) =>
    wrappersOf(shape).map((wrapper) => `${action}: ${wrapper}`),
  );

  it('lists the 34 wrappers the nested examples show, and those of the flattened ones', () => {
    const nestedInExamples = [
      'GetActivityLog: activity.entry',
      'GetClientGroups: groups.group',
      'GetClients: clients.client',
      'GetClientsDetails: client.users.user',
      'GetClientsProducts: products.product',
      'GetClientsProducts: products[].configoptions.configoption',
      'GetClientsProducts: products[].customfields.customfield',
      'GetContacts: contacts.contact',
      'GetEmails: emails.email',
      'GetInvoice: items.item',
      'GetInvoices: invoices.invoice',
      'GetOrderStatuses: statuses.status',
      'GetOrders: orders.order',
      'GetOrders: orders[].lineitems.lineitem',
      'GetPaymentMethods: paymentmethods.paymentmethod',
      'GetPermissionsList: permissions.permission',
      'GetProducts: products.product',
      'GetProducts: products[].configoptions.configoption',
      'GetProducts: products[].configoptions[].options.option',
      'GetProducts: products[].customfields.customfield',
      'GetPromotions: promotions.promotion',
      'GetQuotes: quotes.quote',
      'GetQuotes: quotes[].items.item',
      'GetStaffOnline: staffonline.staff',
      'GetSupportDepartments: departments.department',
      'GetSupportStatuses: statuses.status',
      'GetTicket: notes.note',
      'GetTicket: replies.reply',
      'GetTicketNotes: notes.note',
      'GetTicketPredefinedCats: categories.category',
      'GetTicketPredefinedReplies: predefinedreplies.predefinedreply',
      'GetTickets: tickets.ticket',
      'GetToDoItemStatuses: todoitemstatuses.status',
      'GetTransactions: transactions.transaction',
    ];
    expect(nestedInExamples).toHaveLength(34);
    expect(allWrappers).toEqual(expect.arrayContaining(nestedInExamples));
    expect(allWrappers).toEqual(
      expect.arrayContaining([
        'GetAffiliates: affiliates.affiliate',
        'GetClientsDomains: domains.domain',
        'GetProject: tasks[].timelogs.timelog',
        // Documented arrays the example shows empty or leaves out.
        'GetInvoice: transactions.transaction',
        'GetToDoItems: items.item',
      ]),
    );
  });

  it('declares plain documented arrays as unwrapped lists', () => {
    expect(REPLY_SHAPES.GetUsers?.lists?.users?.wrapper).toBeNull();
    expect(REPLY_SHAPES.GetPayMethods?.lists?.paymethods?.wrapper).toBeNull();
    expect(REPLY_SHAPES.GetClientsDetails?.objects?.client?.lists?.customfields?.wrapper).toBeNull();
    // Documented as `invoices` by mistake; the reply carries `projects`.
    expect(REPLY_SHAPES.GetProjects?.lists).toEqual({ projects: expect.anything() });
  });

  it('classifies documented and example fields', () => {
    expect(REPLY_SHAPES.GetInvoice?.fields).toMatchObject({
      invoiceid: 'int',
      userid: 'int',
      total: 'money',
      balance: 'money',
      taxrate: 'decimal',
      ccgateway: 'bool',
      datepaid: 'date',
    });
    expect(REPLY_SHAPES.GetClientsProducts?.lists?.products?.item?.fields).toMatchObject({
      id: 'int',
      qty: 'int',
      clientid: 'int',
      recurringamount: 'money',
      overidesuspenduntil: 'date',
    });
    expect(REPLY_SHAPES.GetTransactions?.lists?.transactions?.item?.fields).toMatchObject({
      rate: 'decimal',
    });
    expect(REPLY_SHAPES.GetClientGroups?.lists?.groups?.item?.fields).toMatchObject({
      susptermexempt: 'bool',
    });
    expect(REPLY_SHAPES.GetStats?.objects?.timeline_data?.maps?.income).toEqual({ value: 'money' });
  });

  it('leaves text that looks like a number alone', () => {
    const client = REPLY_SHAPES.GetClientsDetails?.objects?.client?.fields ?? {};
    for (const name of ['phonenumber', 'postcode', 'phonecc', 'tax_id', 'email_preferences']) {
      expect(client[name], name).toBeUndefined();
    }
    expect(REPLY_SHAPES.GetTicket?.fields?.tid).toBeUndefined();
    expect(REPLY_SHAPES.GetTransactions?.lists?.transactions?.item?.fields?.transid).toBeUndefined();
    expect(REPLY_SHAPES.GetClientsProducts?.lists?.products?.item?.fields?.ordernumber).toBeUndefined();
    expect(REPLY_SHAPES.GetOrders?.lists?.orders?.item?.fields?.ordernum).toBeUndefined();
    expect(REPLY_SHAPES.GetInvoice?.fields?.invoicenum).toBeUndefined();
    // Documented as float, sent as "$5.95 USD".
    expect(REPLY_SHAPES.GetStats?.fields?.income_today).toBeUndefined();
    // An integer that is neither an id nor a count (a promotion's value may be 12.50 elsewhere).
    expect(REPLY_SHAPES.GetPromotions?.lists?.promotions?.item?.fields?.value).toBeUndefined();
  });

  it('reads flattened examples as nested JSON', () => {
    expect(
      shapesGenerator.unflattenBracketKeys({
        result: 'success',
        'tasks[task][0][id]': '1',
        'tasks[task][0][timelogs][timelog][0][id]': '7',
        'tasks[task][1][id]': '2',
        'tasks[task][1][timelogs]': '',
        'projectinfo[notes] ': '>',
      }),
    ).toEqual({
      result: 'success',
      tasks: {
        task: [
          { id: '1', timelogs: { timelog: [{ id: '7' }] } },
          { id: '2', timelogs: '' },
        ],
      },
      projectinfo: { notes: '>' },
    });
  });
});
