import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionDefinition } from '../../src/whmcs/action-types.js';
import type { SandboxHandler } from '../../src/sandbox/context.js';
import {
  JSON_MALFORMED_UTF8_MESSAGE,
  jsonHasMalformedUtf8,
  writeJsonReply,
  writeXmlReply,
} from '../../src/sandbox/encode.js';
import { FaultInjector } from '../../src/sandbox/faults.js';
import { EXAMPLE_REPLIES } from '../../src/sandbox/generated/example-replies.js';
import { decodePhpParams, decodePhpRequest } from '../../src/sandbox/php-params.js';
import {
  missingParameterMessage,
  startSandboxServer,
  type SandboxServer,
  type SandboxServerConfig,
} from '../../src/sandbox/server.js';
import { MALFORMED_UTF8_MARKER, SandboxApiError, type SandboxParams } from '../../src/sandbox/types.js';
import { sandboxHandlers } from '../../src/sandbox/actions/index.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { SEED_FACTS } from '../../src/sandbox/seed.js';
import { listActions } from '../../src/whmcs/actions.js';

interface CatalogEntry {
  action: string;
  summary: string;
  request: { name: string; type: string; required: boolean; description: string }[];
  errors: string[];
}

const catalog = JSON.parse(
  readFileSync(new URL('../../data/whmcs-catalog.json', import.meta.url), 'utf8'),
) as {
  actions: Record<string, CatalogEntry>;
};

// Protocol tests run against small handlers of their own, so they pin the HTTP layer alone.
const READ_PREFIXES = /^(Get|List|Validate|DomainGet|DomainWhois|WhmcsDetails)/;

function definitionOf(entry: CatalogEntry): ActionDefinition {
  const kind = READ_PREFIXES.test(entry.action) ? 'read' : 'write';
  return {
    name: entry.action,
    summary: entry.summary,
    kind,
    risk: kind === 'read' ? 'low' : 'medium',
    effects: [],
    blocked: false,
    params: entry.request.map((param) => ({
      name: param.name,
      type: 'string',
      required: param.required,
      description: param.description,
    })),
    paged: false,
    errors: entry.errors,
  };
}

const definitions = new Map(
  Object.values(catalog.actions).map((entry) => [entry.action.toLowerCase(), definitionOf(entry)]),
);
const lookupAction = (name: string): ActionDefinition | undefined => definitions.get(name.toLowerCase());
const definition = (name: string): ActionDefinition =>
  definitions.get(name.toLowerCase()) as ActionDefinition;

interface TestState {
  seed: number;
  credits: Map<number, number>;
  lastContextAction?: string;
  lastAdmin?: string;
}

const handlers: Record<string, SandboxHandler<TestState>> = {
  GetInvoice: (params, context) => {
    context.state.lastContextAction = context.action;
    context.state.lastAdmin = context.adminUsername;
    if (params['invoiceid'] !== '1') throw new SandboxApiError('Invoice ID Not Found');
    return {
      invoiceid: 1,
      status: 'Unpaid',
      notes: 'Tom & Jerry <b>',
      items: { item: [{ id: 1, description: 'Hosting', amount: '15.95', taxed: 0 }] },
      transactions: '',
    };
  },
  AddCredit: (params, context) => {
    const clientId = Number(params['clientid']);
    const balance = (context.state.credits.get(clientId) ?? 0) + Number(params['amount']);
    context.state.credits.set(clientId, balance);
    return { newbalance: balance.toFixed(2) };
  },
  // Echoes decoded parameters so bracket decoding is observable over HTTP.
  UpdateInvoice: (params) => ({ echoed: params }),
  GetClientsDetails: () => ({ client: { id: 1, firstname: `Ren${MALFORMED_UTF8_MARKER}e` } }),
  GetStats: () => {
    throw new Error('handler bug');
  },
  GetCredits: async (params) => {
    await new Promise((resolve) => setImmediate(resolve));
    return { clientid: params['clientid'], credits: '' };
  },
};

const IDENTIFIER = 'test-identifier';
const SECRET = 'test-secret';
const ADMIN_PASSWORD = 'admin-password';

function testConfig(overrides: Partial<SandboxServerConfig<TestState>> = {}): SandboxServerConfig<TestState> {
  return {
    host: '127.0.0.1',
    port: 0,
    identifier: IDENTIFIER,
    secret: SECRET,
    adminUsername: 'admin',
    adminPassword: ADMIN_PASSWORD,
    ipAllowlist: [],
    accessKey: undefined,
    trustClientIpHeader: true,
    adminToken: 'admin-token',
    maxBodyBytes: 64 * 1024,
    inputLimits: {},
    whmcsVersion: '8.13.1',
    faults: new FaultInjector(),
    handlers,
    lookupAction,
    exampleReplies: EXAMPLE_REPLIES,
    createState: (reset) => ({ seed: reset.seed ?? 1, credits: new Map([[1, 0]]) }),
    now: () => new Date('2025-01-15T10:00:00Z'),
    logger: undefined,
    ...overrides,
  };
}

interface Reply {
  status: number;
  headers: Headers;
  text: string;
}

async function post(
  url: string,
  body: string | URLSearchParams,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: typeof body === 'string' ? body : body.toString(),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

function credentials(params: Record<string, string>): URLSearchParams {
  return new URLSearchParams({ identifier: IDENTIFIER, secret: SECRET, ...params });
}

describe('PHP parameter decoding', () => {
  it('decodes plain pairs, + and percent escapes, and names without a value', () => {
    expect(decodePhpParams('action=GetInvoice&notes=a+b%20c%2Bd&flag&empty=')).toEqual({
      action: 'GetInvoice',
      notes: 'a b c+d',
      flag: '',
      empty: '',
    });
  });

  it('nests bracket names into lists and keyed objects', () => {
    const body = new URLSearchParams([
      ['items[0][description]', 'Hosting'],
      ['items[0][amount]', '10.00'],
      ['items[1][description]', 'Domain'],
      ['a[]', '1'],
      ['a[]', '2'],
      ['customfields[1]', 'v'],
      ['itemdescription[123]', 'x'],
    ]).toString();
    expect(body).toContain('items%5B0%5D%5Bdescription%5D');
    expect(decodePhpParams(body)).toEqual({
      items: [{ description: 'Hosting', amount: '10.00' }, { description: 'Domain' }],
      a: ['1', '2'],
      customfields: { '1': 'v' },
      itemdescription: { '123': 'x' },
    });
  });

  it('appends after the highest integer key and keeps string keys as they are', () => {
    expect(decodePhpParams('a[5]=x&a[]=y&b[x]=1&b[]=2&c[01]=s')).toEqual({
      a: { '5': 'x', '6': 'y' },
      b: { x: '1', '0': '2' },
      c: { '01': 's' },
    });
    // Keys 0..n-1 out of insertion order are a PHP map, not a list.
    expect(decodePhpParams('d[1]=b&d[0]=a')).toEqual({ d: { '0': 'a', '1': 'b' } });
    expect(Array.isArray(decodePhpParams('d[1]=b&d[0]=a')['d'])).toBe(false);
  });

  it('rewrites spaces and dots in the base name only, as PHP does', () => {
    expect(decodePhpParams('first.name=a&last+name=b&x[a.b c]=d&++lead=e')).toEqual({
      first_name: 'a',
      last_name: 'b',
      x: { 'a.b c': 'd' },
      lead: 'e',
    });
  });

  it('handles unclosed brackets, trailing junk and empty names like PHP', () => {
    expect(decodePhpParams('a[b=1&c[x]junk=2&d[x][y=3&[z]=4&=5&e[=6')).toEqual({
      a_b: '1',
      c: { x: '2' },
      d: { x: '3' },
      e_: '6',
    });
  });

  it('lets a later scalar replace an array and a later array replace a scalar', () => {
    expect(decodePhpParams('a[]=1&a=2&b=1&b[]=2&c[x]=1&c[x][y]=2')).toEqual({
      a: '2',
      b: ['2'],
      c: { x: { y: '2' } },
    });
  });

  it('drops a variable nested deeper than max_input_nesting_level and pairs past max_input_vars', () => {
    expect(decodePhpParams('a=keep&b[x]=1&b[1][2][3]=deep', { maxNestingLevel: 2 })).toEqual({ a: 'keep' });
    expect(decodePhpParams('a=1&b=2&c=3', { maxInputVars: 2 })).toEqual({ a: '1', b: '2' });
  });

  it('marks bytes that are not UTF-8 and keeps bad percent escapes literally', () => {
    expect(decodePhpParams('name=Ren%C3%A9e&snow=%E2%98%83&bad=caf%E9&pct=100%25&odd=%zz%2')).toEqual({
      name: 'Renée',
      snow: '☃',
      bad: `caf${MALFORMED_UTF8_MARKER}`,
      pct: '100%',
      odd: '%zz%2',
    });
    // An encoded surrogate (ED A0 80) is three invalid bytes, one marker each, as the WHATWG decoder counts.
    expect(decodePhpParams('t=%F0%9F%98%80%ED%A0%80x')['t']).toBe(`😀${MALFORMED_UTF8_MARKER.repeat(3)}x`);
    expect(decodePhpParams('t=%E2%98x')['t']).toBe(`${MALFORMED_UTF8_MARKER}x`);
    expect(decodePhpParams(Buffer.from([0x61, 0x3d, 0x63, 0xe9, 0x26, 0x62, 0x3d, 0xc3, 0xa9]))).toEqual({
      a: `c${MALFORMED_UTF8_MARKER}`,
      b: 'é',
    });
    expect(decodePhpParams('raw=é')).toEqual({ raw: 'é' });
  });

  it('keeps __proto__ an ordinary key', () => {
    const params = decodePhpParams('__proto__[polluted]=1&x[__proto__]=2');
    expect(Object.keys(params)).toEqual(['__proto__', 'x']);
    expect(Object.keys(params['x'] as object)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(params)).toBe(Object.prototype);
  });

  it('merges the POST body over the query string as $_REQUEST does', () => {
    expect(decodePhpRequest(['a=get&n[x]=1&n[y]=2&l[]=g', 'a=post&n[y]=3&n[z]=4&l[]=p'])).toEqual({
      a: 'post',
      n: { x: '1', y: '3', z: '4' },
      l: ['p'],
    });
  });
});

describe('reply encoders', () => {
  it('refuses JSON with text that is not UTF-8, and only then', () => {
    expect(writeJsonReply({ result: 'success', name: `a${MALFORMED_UTF8_MARKER}` })).toEqual({
      json: JSON.stringify({ result: 'error', message: JSON_MALFORMED_UTF8_MESSAGE }),
      malformedUtf8: true,
    });
    expect(JSON_MALFORMED_UTF8_MESSAGE).toContain('Malformed UTF-8 characters');
    expect(writeJsonReply({ text: '\\ud800 literal', emoji: '😀' }).malformedUtf8).toBe(false);
    expect(jsonHasMalformedUtf8(JSON.stringify({ a: '\\\uDC00' }))).toBe(true);
  });

  it('writes WHMCS XML: list items take the parent name, CDATA for markup, empty lists left out', () => {
    const xml = writeXmlReply(
      {
        result: 'success',
        invoiceid: 1,
        notes: 'Tom & Jerry',
        ccgateway: false,
        paid: true,
        missing: null,
        items: {
          item: [
            { id: 1, description: 'A' },
            { id: 2, description: 'B' },
          ],
        },
        transactions: '',
        emptylist: [],
        permissions: { permission: ['profile', 'invoices'] },
      },
      'getinvoice',
      '8.13.1',
    );
    expect(xml).toBe(
      [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<whmcsapi version="8.13.1">',
        '<action>getinvoice</action>',
        '<result>success</result>',
        '<invoiceid>1</invoiceid>',
        '<notes><![CDATA[Tom & Jerry]]></notes>',
        '<ccgateway></ccgateway>',
        '<paid>1</paid>',
        '<missing></missing>',
        '<items>',
        '<item>',
        '<id>1</id>',
        '<description>A</description>',
        '</item>',
        '<item>',
        '<id>2</id>',
        '<description>B</description>',
        '</item>',
        '</items>',
        '<transactions></transactions>',
        '<permissions>',
        '<permission>profile</permission>',
        '<permission>invoices</permission>',
        '</permissions>',
        '</whmcsapi>',
      ].join('\n'),
    );
  });

  it('nests wrapped lists inside list items (GetClientsProducts configoptions)', () => {
    const xml = writeXmlReply(
      { result: 'success', products: { product: [{ id: 7, configoptions: { configoption: [{ id: 3 }] } }] } },
      'getclientsproducts',
      '8.13.1',
    );
    expect(xml).toContain(
      '<products>\n<product>\n<id>7</id>\n<configoptions>\n<configoption>\n<id>3</id>\n</configoption>\n</configoptions>\n</product>\n</products>',
    );
  });

  it('flattens an object nested directly in an object, as WHMCS does', () => {
    const xml = writeXmlReply({ result: 'success', client: { id: 1, stats: { due: '5.00' } } }, 'x', '8');
    expect(xml).toContain('<client>\n<id>1</id>\n<due>5.00</due>\n</client>');
  });

  it('sends errors with an empty version and writes U+FFFD for text that is not UTF-8', () => {
    const xml = writeXmlReply({ result: 'error', message: `bad${MALFORMED_UTF8_MARKER}]]>` }, 'x', '8.13.1');
    expect(xml).toContain('<whmcsapi version="">');
    expect(xml).toContain('<message><![CDATA[bad\uFFFD]]]]><![CDATA[>]]></message>');
  });
});

describe('generated example replies', () => {
  it('match what the generator makes from the committed catalog', async () => {
    const scriptUrl = new URL('../../scripts/generate-sandbox-examples.mjs', import.meta.url).href;
    const generator = (await import(scriptUrl)) as {
      readCatalog: () => unknown;
      renderExampleRepliesModule: (catalog: unknown) => string;
    };
    const committed = readFileSync(
      new URL('../../src/sandbox/generated/example-replies.ts', import.meta.url),
      'utf8',
    );
    expect(committed).toBe(generator.renderExampleRepliesModule(generator.readCatalog()));
    expect(committed.split('\n')[0]).toContain('node scripts/generate-sandbox-examples.mjs');
    expect(Object.keys(EXAMPLE_REPLIES)).toHaveLength(Object.keys(catalog.actions).length);
  });
});

describe('missing-parameter messages from the documented errors', () => {
  it.each([
    ['GetInvoice', 'invoiceid', 'Invoice ID Not Found'],
    ['AddPayMethod', 'clientid', 'Client ID Is Required'],
    ['DeletePayMethod', 'paymethodid', 'Pay Method ID is Required'],
    ['AddUser', 'password2', 'You did not enter a password'],
    ['AddClient', 'firstname', 'You did not enter your first name'],
    ['AddClient', 'address1', 'You did not enter your  address line 1'],
    ['DomainUpdateNameservers', 'ns2', 'ns1 and ns2 required'],
    ['GetConfigurationValue', 'setting', 'Parameter setting is required'],
    ['AddCredit', 'amount', 'No Amount Provided'],
    ['AddProjectTask', 'projectid', 'Project ID not Set'],
    ['MergeTicket', 'mergeticketids', 'Merge Ticket IDs Required'],
    ['AddAnnouncement', 'title', 'Parameter title is required'],
    ['UpdateClientAddon', 'id', 'Addon ID Not Found'],
  ])('%s without %s says %j', (action, param, message) => {
    expect(missingParameterMessage(definition(action), param)).toBe(message);
  });
});

describe('sandbox over HTTP', () => {
  let sandbox: SandboxServer<TestState>;

  beforeAll(async () => {
    sandbox = await startSandboxServer(
      testConfig({ ipAllowlist: ['127.0.0.1', '10.0.0.5'], accessKey: 'key-1' }),
    );
  });

  afterAll(async () => {
    await sandbox.close();
  });

  it('answers with identifier and secret, as JSON by default, on a kept-alive connection', async () => {
    const reply = await post(sandbox.apiUrl, credentials({ action: 'GetInvoice', invoiceid: '1' }));
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/json');
    expect(reply.headers.get('connection')).toBe('keep-alive');
    const body = JSON.parse(reply.text) as Record<string, unknown>;
    expect(Object.keys(body)[0]).toBe('result');
    expect(body).toMatchObject({ result: 'success', invoiceid: 1, status: 'Unpaid' });
  });

  it('accepts the legacy admin username with the MD5 of the password, in either hex case', async () => {
    const md5 = createHash('md5').update(ADMIN_PASSWORD).digest('hex');
    for (const password of [md5, md5.toUpperCase()]) {
      const reply = await post(
        sandbox.apiUrl,
        new URLSearchParams({ action: 'GetInvoice', invoiceid: '1', username: 'admin', password }),
      );
      expect(JSON.parse(reply.text)).toMatchObject({ result: 'success' });
    }
    expect(sandbox.state.lastAdmin).toBe('admin');
  });

  it('accepts API credentials in the username and password fields', async () => {
    const reply = await post(
      sandbox.apiUrl,
      new URLSearchParams({ action: 'GetInvoice', invoiceid: '1', username: IDENTIFIER, password: SECRET }),
    );
    expect(JSON.parse(reply.text)).toMatchObject({ result: 'success' });
  });

  it.each([
    ['a wrong secret', { identifier: IDENTIFIER, secret: 'nope' }],
    ['no credentials', {}],
    ['a plain admin password', { username: 'admin', password: ADMIN_PASSWORD }],
    [
      'a wrong username',
      { username: 'root', password: createHash('md5').update(ADMIN_PASSWORD).digest('hex') },
    ],
    ['an identifier without secret', { identifier: IDENTIFIER }],
  ])('refuses %s with HTTP 403 Authentication Failed', async (_label, auth: Record<string, string>) => {
    const reply = await post(
      sandbox.apiUrl,
      new URLSearchParams({ action: 'GetInvoice', invoiceid: '1', ...auth }),
    );
    expect(reply.status).toBe(403);
    expect(reply.text).toBe('{"result":"error","message":"Authentication Failed"}');
  });

  it('refuses an address outside the API IP allowlist with the exact WHMCS message', async () => {
    const reply = await post(sandbox.apiUrl, credentials({ action: 'GetInvoice', invoiceid: '1' }), {
      'x-sandbox-client-ip': '203.0.113.9',
    });
    expect(reply.status).toBe(403);
    expect(reply.text).toBe('{"result":"error","message":"Invalid IP 203.0.113.9"}');
    const allowed = await post(sandbox.apiUrl, credentials({ action: 'GetInvoice', invoiceid: '1' }), {
      'x-sandbox-client-ip': '10.0.0.5',
    });
    expect(allowed.status).toBe(200);
  });

  it('lets the access key past the allowlist but not past authentication', async () => {
    const headers = { 'x-sandbox-client-ip': '203.0.113.9' };
    const passed = await post(
      sandbox.apiUrl,
      credentials({ action: 'GetInvoice', invoiceid: '1', accesskey: 'key-1' }),
      headers,
    );
    expect(JSON.parse(passed.text)).toMatchObject({ result: 'success' });
    const wrongSecret = await post(
      sandbox.apiUrl,
      new URLSearchParams({ action: 'GetInvoice', identifier: IDENTIFIER, secret: 'x', accesskey: 'key-1' }),
      headers,
    );
    expect(wrongSecret.status).toBe(403);
    expect(JSON.parse(wrongSecret.text)).toEqual({ result: 'error', message: 'Authentication Failed' });
    const wrongKey = await post(
      sandbox.apiUrl,
      credentials({ action: 'GetInvoice', accesskey: 'other' }),
      headers,
    );
    expect(wrongKey.status).toBe(403);
    expect(JSON.parse(wrongKey.text)).toEqual({ result: 'error', message: 'Invalid Access Key' });
  });

  it('answers in WHMCS XML when asked, with the action echoed in lower case', async () => {
    const reply = await post(
      sandbox.apiUrl,
      credentials({ action: 'getINVOICE', invoiceid: '1', responsetype: 'xml' }),
    );
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    expect(reply.text).toMatch(/^<\?xml version="1\.0" encoding="utf-8"\?>\n<whmcsapi version="8\.13\.1">\n/);
    expect(reply.text).toContain(
      '<action>getinvoice</action>\n<result>success</result>\n<invoiceid>1</invoiceid>',
    );
    expect(reply.text).toContain('<notes><![CDATA[Tom & Jerry <b>]]></notes>');
    expect(reply.text).toContain('<items>\n<item>\n<id>1</id>');
    expect(reply.text.endsWith('</whmcsapi>')).toBe(true);
  });

  it('answers errors in XML too, with HTTP 403 and an empty version for auth failures', async () => {
    const reply = await post(
      sandbox.apiUrl,
      new URLSearchParams({ action: 'GetInvoice', responsetype: 'xml', identifier: 'x', secret: 'y' }),
    );
    expect(reply.status).toBe(403);
    expect(reply.text).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<whmcsapi version="">\n<action>getinvoice</action>\n' +
        '<result>error</result>\n<message>Authentication Failed</message>\n</whmcsapi>',
    );
  });

  it('matches action names case-insensitively and hands handlers the catalog spelling', async () => {
    const reply = await post(sandbox.apiUrl, credentials({ action: 'gEtInVoIcE', invoiceid: '1' }));
    expect(JSON.parse(reply.text)).toMatchObject({ result: 'success' });
    expect(sandbox.state.lastContextAction).toBe('GetInvoice');
  });

  it('decodes bracket parameters before the handler sees them', async () => {
    const body = credentials({ action: 'UpdateInvoice', invoiceid: '1' });
    body.append('itemdescription[12]', 'Renamed');
    body.append('newitemdescription[]', 'One');
    body.append('newitemdescription[]', 'Two');
    body.append('items[0][amount]', '1.50');
    const reply = JSON.parse((await post(sandbox.apiUrl, body)).text) as { echoed: SandboxParams };
    expect(reply.echoed).toMatchObject({
      itemdescription: { '12': 'Renamed' },
      newitemdescription: ['One', 'Two'],
      items: [{ amount: '1.50' }],
    });
  });

  it('awaits handlers that return a promise', async () => {
    const reply = await post(sandbox.apiUrl, credentials({ action: 'GetCredits', clientid: '1' }));
    expect(JSON.parse(reply.text)).toEqual({ result: 'success', clientid: '1', credits: '' });
  });

  it('turns SandboxApiError into a WHMCS error reply with HTTP 200', async () => {
    const reply = await post(sandbox.apiUrl, credentials({ action: 'GetInvoice', invoiceid: '99' }));
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toEqual({ result: 'error', message: 'Invoice ID Not Found' });
  });

  it('says Command Not Found for an unknown action and Invalid API Command Value for none', async () => {
    const unknown = await post(sandbox.apiUrl, credentials({ action: 'GetEverything' }));
    expect(unknown.status).toBe(200);
    expect(JSON.parse(unknown.text)).toEqual({ result: 'error', message: 'Command Not Found' });
    const none = await post(sandbox.apiUrl, credentials({}));
    expect(JSON.parse(none.text)).toEqual({ result: 'error', message: 'Invalid API Command Value' });
    const odd = await post(sandbox.apiUrl, credentials({ action: '../GetInvoice' }));
    expect(JSON.parse(odd.text)).toEqual({ result: 'error', message: 'Invalid API Command Value' });
  });

  it('reports a missing required parameter with the documented message', async () => {
    const reply = await post(sandbox.apiUrl, credentials({ action: 'AddPayMethod' }));
    expect(JSON.parse(reply.text)).toEqual({ result: 'error', message: 'Client ID Is Required' });
    const emptyValue = await post(sandbox.apiUrl, credentials({ action: 'GetInvoice', invoiceid: '' }));
    expect(JSON.parse(emptyValue.text)).toEqual({ result: 'error', message: 'Invoice ID Not Found' });
  });

  it('answers a read it does not emulate with the official example reply', async () => {
    const reply = await post(sandbox.apiUrl, credentials({ action: 'getcurrencies' }));
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toEqual(EXAMPLE_REPLIES['GetCurrencies']);
    expect(JSON.parse(reply.text)).toEqual(catalogExample('GetCurrencies'));
  });

  it('refuses a write it does not emulate without changing anything', async () => {
    const before = structuredClone(sandbox.state);
    const reply = await post(sandbox.apiUrl, credentials({ action: 'DeleteClient', clientid: '1' }));
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toEqual({
      result: 'error',
      message: 'The WHMCS sandbox does not emulate DeleteClient; it is a write, so nothing was changed',
    });
    expect(sandbox.state).toEqual(before);
  });

  it('refuses JSON for stored text that is not UTF-8 while XML writes U+FFFD', async () => {
    const json = await post(sandbox.apiUrl, credentials({ action: 'GetClientsDetails', clientid: '1' }));
    expect(json.status).toBe(200);
    expect(JSON.parse(json.text)).toEqual({
      result: 'error',
      message:
        'Error generating JSON encoded response: Malformed UTF-8 characters, possibly incorrectly encoded',
    });
    const xml = await post(
      sandbox.apiUrl,
      credentials({ action: 'GetClientsDetails', clientid: '1', responsetype: 'xml' }),
    );
    expect(xml.text).toContain('<firstname><![CDATA[Ren\uFFFDe]]></firstname>');
  });

  it('answers a handler crash with HTTP 500 like a PHP fatal error', async () => {
    const original = console.error;
    console.error = () => undefined;
    try {
      const reply = await post(sandbox.apiUrl, credentials({ action: 'GetStats' }));
      expect(reply.status).toBe(500);
      expect(reply.text).toBe('Internal Server Error');
    } finally {
      console.error = original;
    }
  });

  it('reads parameters from the query string as PHP $_REQUEST does, so a bare GET fails authentication', async () => {
    const bare = await fetch(sandbox.apiUrl);
    expect(bare.status).toBe(403);
    expect(await bare.json()).toEqual({ result: 'error', message: 'Authentication Failed' });
    const withQuery = await fetch(`${sandbox.apiUrl}?${credentials({}).toString()}`);
    expect(await withQuery.json()).toEqual({ result: 'error', message: 'Invalid API Command Value' });
    const merged = await post(
      `${sandbox.apiUrl}?action=GetInvoice&invoiceid=99`,
      credentials({ invoiceid: '1' }),
    );
    expect(JSON.parse(merged.text)).toMatchObject({ result: 'success', invoiceid: 1 });
  });

  it('ignores a body that is not form-encoded, as PHP leaves $_POST empty', async () => {
    const response = await fetch(sandbox.apiUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'GetInvoice', identifier: IDENTIFIER, secret: SECRET }),
    });
    expect(response.status).toBe(403);
  });

  it('answers other paths with a web server 404, including the admin API without its token', async () => {
    for (const path of ['/', '/includes/api.php/x', '/admin/', '/__sandbox/faults', '/__sandbox/stats']) {
      const response = await fetch(`${sandbox.url}${path}`);
      expect(response.status).toBe(404);
      expect(await response.text()).toContain('<title>404 Not Found</title>');
    }
  });

  it('refuses a body over the cap with HTTP 413 and keeps serving', async () => {
    const big = credentials({ action: 'GetInvoice', invoiceid: '1', notes: 'x'.repeat(70 * 1024) });
    const reply = await post(sandbox.apiUrl, big);
    expect(reply.status).toBe(413);
    expect(reply.text).toContain('413 Request Entity Too Large');
    const chunked = await postChunked(sandbox.apiUrl, [
      credentials({ action: 'GetInvoice' }).toString(),
      '&n=' + 'y'.repeat(70 * 1024),
    ]);
    expect(chunked).toBe(413);
    const after = await post(sandbox.apiUrl, credentials({ action: 'GetInvoice', invoiceid: '1' }));
    expect(after.status).toBe(200);
  });

  it('counts calls per action for tests', () => {
    const stats = sandbox.stats();
    expect(stats.requests).toBeGreaterThan(10);
    expect(stats.actions['GetInvoice']).toBeGreaterThan(5);
    expect(stats.actions['(unknown)']).toBeGreaterThanOrEqual(1);
    expect(stats.actions['GetEverything']).toBeUndefined();
  });
});

describe('sandbox without the test IP header', () => {
  it('ignores X-Sandbox-Client-IP unless started with that test option', async () => {
    const sandbox = await startSandboxServer(
      testConfig({ ipAllowlist: ['127.0.0.1'], trustClientIpHeader: false }),
    );
    try {
      const reply = await post(sandbox.apiUrl, credentials({ action: 'GetInvoice', invoiceid: '1' }), {
        'x-sandbox-client-ip': '203.0.113.9',
      });
      expect(reply.status).toBe(200);
      const other = await startSandboxServer(
        testConfig({ ipAllowlist: ['192.0.2.1'], trustClientIpHeader: false }),
      );
      try {
        const refused = await post(other.apiUrl, credentials({ action: 'GetInvoice', invoiceid: '1' }), {
          'x-sandbox-client-ip': '192.0.2.1',
        });
        expect(refused.status).toBe(403);
        expect(JSON.parse(refused.text)).toEqual({ result: 'error', message: 'Invalid IP 127.0.0.1' });
      } finally {
        await other.close();
      }
    } finally {
      await sandbox.close();
    }
  });
});

function catalogExample(name: string): unknown {
  return (catalog.actions[name] as unknown as { exampleResponse: unknown }).exampleResponse;
}

/** Sends a body in chunks without Content-Length, so the cap is enforced while reading. */
function postChunked(url: string, chunks: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('the real sandbox (state, handlers and action table wired by startSandbox)', () => {
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({
      port: 0,
      clients: 12,
      ipAllowlist: ['127.0.0.1'],
      accessKey: 'real-key',
      trustClientIpHeader: true,
    });
  });

  afterAll(async () => {
    await sandbox.close();
  });

  const real = (params: Record<string, string>, headers: Record<string, string> = {}): Promise<Reply> =>
    post(
      sandbox.apiUrl,
      new URLSearchParams({ identifier: 'sandbox', secret: 'sandbox-secret', ...params }),
      headers,
    );

  it('authenticates both ways and refuses wrong credentials and foreign addresses as WHMCS does', async () => {
    const invoiceId = String(SEED_FACTS.demoClient.invoices.unpaid);
    const md5 = createHash('md5').update(sandbox.adminPassword).digest('hex');
    const legacy = await post(
      sandbox.apiUrl,
      new URLSearchParams({ action: 'GetInvoice', invoiceid: invoiceId, username: 'admin', password: md5 }),
    );
    expect(JSON.parse(legacy.text)).toMatchObject({ result: 'success', status: 'Unpaid' });
    const wrong = await post(
      sandbox.apiUrl,
      new URLSearchParams({ action: 'GetInvoice', identifier: 'sandbox' }),
    );
    expect([wrong.status, wrong.text]).toEqual([403, '{"result":"error","message":"Authentication Failed"}']);
    const foreign = await real(
      { action: 'GetInvoice', invoiceid: invoiceId },
      { 'x-sandbox-client-ip': '198.51.100.7' },
    );
    expect([foreign.status, foreign.text]).toEqual([
      403,
      '{"result":"error","message":"Invalid IP 198.51.100.7"}',
    ]);
    const keyed = await real(
      { action: 'GetInvoice', invoiceid: invoiceId, accesskey: 'real-key' },
      { 'x-sandbox-client-ip': '198.51.100.7' },
    );
    expect(keyed.status).toBe(200);
  });

  it('answers the same invoice in JSON and XML', async () => {
    const invoiceId = String(SEED_FACTS.demoClient.invoices.unpaid);
    const json = JSON.parse((await real({ action: 'GETINVOICE', invoiceid: invoiceId })).text) as Record<
      string,
      unknown
    >;
    expect(json).toMatchObject({ result: 'success', invoiceid: Number(invoiceId), balance: '15.95' });
    const xml = (await real({ action: 'GetInvoice', invoiceid: invoiceId, responsetype: 'xml' })).text;
    expect(xml).toContain(`<invoiceid>${invoiceId}</invoiceid>`);
    expect(xml).toContain('<balance>15.95</balance>');
    expect(xml).toContain('<items>\n<item>\n');
  });

  it('decodes bracket parameters for the real handlers (UpdateInvoice new items)', async () => {
    const invoiceId = String(SEED_FACTS.demoClient.invoices.unpaid);
    const body = new URLSearchParams({
      identifier: 'sandbox',
      secret: 'sandbox-secret',
      action: 'UpdateInvoice',
      invoiceid: invoiceId,
    });
    body.append('newitemdescription[]', 'Bracket item one');
    body.append('newitemamount[]', '1.00');
    body.append('newitemtaxed[]', '0');
    body.append('newitemdescription[]', 'Bracket item two');
    body.append('newitemamount[]', '2.00');
    body.append('newitemtaxed[]', '0');
    expect(JSON.parse((await post(sandbox.apiUrl, body)).text)).toMatchObject({ result: 'success' });
    const invoice = JSON.parse((await real({ action: 'GetInvoice', invoiceid: invoiceId })).text) as {
      items: { item: { description: string }[] };
    };
    const descriptions = invoice.items.item.map((item) => item.description);
    expect(descriptions).toEqual(expect.arrayContaining(['Bracket item one', 'Bracket item two']));
  });

  it('refuses JSON for the client whose stored text is not UTF-8, while XML works', async () => {
    const clientId = String(SEED_FACTS.malformedUtf8Client.id);
    const json = await real({ action: 'GetClientsDetails', clientid: clientId });
    expect(JSON.parse(json.text)).toEqual({
      result: 'error',
      message:
        'Error generating JSON encoded response: Malformed UTF-8 characters, possibly incorrectly encoded',
    });
    const xml = await real({ action: 'GetClientsDetails', clientid: clientId, responsetype: 'xml' });
    expect(xml.text).toContain('<result>success</result>');
    expect(xml.text).toContain('\uFFFD');
  });

  it('reports unknown actions and missing parameters in WHMCS wording', async () => {
    expect(JSON.parse((await real({ action: 'GetEverything' })).text)).toEqual({
      result: 'error',
      message: 'Command Not Found',
    });
    expect(JSON.parse((await real({ action: 'AddCredit', clientid: '1', amount: '5' })).text)).toEqual({
      result: 'error',
      message: 'Parameter description is required',
    });
    expect(JSON.parse((await real({ action: 'AddPayMethod' })).text)).toEqual({
      result: 'error',
      message: 'Client ID Is Required',
    });
  });

  it('refuses a documented write it does not emulate and leaves the data as it was', async () => {
    const emulated = new Set(Object.keys(sandboxHandlers));
    const write = listActions().find(
      (action) =>
        action.kind === 'write' &&
        !emulated.has(action.name) &&
        action.params.every((param) => !param.required || param.name === 'action'),
    ) as ActionDefinition;
    const snapshot = async (): Promise<string[]> => [
      (await real({ action: 'GetClients', limitnum: '1000' })).text,
      (await real({ action: 'GetInvoices', limitnum: '1000' })).text,
    ];
    const before = await snapshot();
    const reply = await real({ action: write.name });
    expect(JSON.parse(reply.text)).toEqual({
      result: 'error',
      message: `The WHMCS sandbox does not emulate ${write.name}; it is a write, so nothing was changed`,
    });
    expect(await snapshot()).toEqual(before);
  });
});
