import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WhmcsMcpError } from '../../src/errors.js';
import { WhmcsClient, type WhmcsClientOptions } from '../../src/whmcs/client.js';

const BASE = 'https://billing.example.test';
const ENDPOINT = `${BASE}/includes/api.php`;

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

interface SeenRequest {
  url: string;
  form: URLSearchParams;
  at: number;
}

/** Installs one handler for the API endpoint and records every request it sees. */
function answer(
  reply: (form: URLSearchParams, index: number) => Response | Promise<Response>,
): SeenRequest[] {
  const seen: SeenRequest[] = [];
  server.use(
    http.post(ENDPOINT, async ({ request }) => {
      const at = performance.now();
      const form = new URLSearchParams(await request.text());
      seen.push({ url: request.url, form, at });
      return reply(form, seen.length - 1);
    }),
  );
  return seen;
}

const clients: WhmcsClient[] = [];
function makeClient(overrides: Partial<WhmcsClientOptions> = {}): WhmcsClient {
  const client = new WhmcsClient({
    apiUrl: BASE,
    identifier: 'ident-abc',
    secret: 'secret-xyz',
    rateLimitPerSecond: 1000,
    maxConcurrency: 8,
    retry: { attempts: 3, maxTotalMs: 5_000, minDelayMs: 1, maxDelayMs: 5 },
    ...overrides,
  });
  clients.push(client);
  return client;
}
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
});

async function failure(promise: Promise<unknown>): Promise<WhmcsMcpError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(WhmcsMcpError);
    return error as WhmcsMcpError;
  }
  throw new Error('expected the call to fail');
}

describe('WhmcsClient replies', () => {
  it('returns a normalized success reply', async () => {
    answer(() =>
      HttpResponse.json({
        result: 'success',
        totalresults: '2',
        startnumber: 0,
        numreturned: 2,
        clients: {
          client: [
            { id: 1, firstname: 'Ada' },
            { id: 2, firstname: 'Zoë' },
          ],
        },
      }),
    );
    const reply = await makeClient().call('GetClients', { limitnum: 2 });
    expect(reply.totalresults).toBe(2);
    expect(Array.isArray(reply.clients)).toBe(true);
    expect((reply.clients as unknown[]).length).toBe(2);
  });

  it('works the same through the bottleneck limiter backend', async () => {
    const seen = answer(() => HttpResponse.json({ result: 'success', totalresults: '0' }));
    const client = makeClient({ limiter: 'bottleneck' });
    const replies = await Promise.all([client.call('GetStats'), client.call('GetStats')]);
    expect(replies.map((reply) => reply.result)).toEqual(['success', 'success']);
    expect(seen).toHaveLength(2);
    expect(client.stats()).toMatchObject({ requests: 2, queued: 0, running: 0 });
  });

  it('maps result:error with HTTP 200 to a typed error carrying the WHMCS message', async () => {
    answer(() => HttpResponse.json({ result: 'error', message: 'Invoice ID Not Found' }));
    const error = await failure(makeClient().call('GetInvoice', { invoiceid: 999 }));
    expect(error.code).toBe('not_found');
    expect(error.message).toContain('Invoice ID Not Found');
  });

  it('treats status:error like result:error', async () => {
    answer(() => HttpResponse.json({ status: 'error', message: 'Something odd happened' }));
    const error = await failure(makeClient().call('GetStats'));
    expect(error.code).toBe('upstream_error');
    expect(error.message).toContain('Something odd happened');
  });

  it('reads the 403 body: Invalid IP becomes ip_not_allowed with the IP and the fix', async () => {
    answer(() => HttpResponse.json({ result: 'error', message: 'Invalid IP 203.0.113.9' }, { status: 403 }));
    const error = await failure(makeClient().call('GetClients'));
    expect(error.code).toBe('ip_not_allowed');
    expect(error.details?.ip).toBe('203.0.113.9');
    expect(error.message).toContain('203.0.113.9');
    expect(error.message).toContain('WHMCS_ACCESS_KEY');
  });

  it('reads the 403 body: Authentication Failed becomes auth_failed', async () => {
    answer(() => HttpResponse.json({ result: 'error', message: 'Authentication Failed' }, { status: 403 }));
    const error = await failure(makeClient().call('GetClients'));
    expect(error.code).toBe('auth_failed');
    expect(error.message).toContain('WHMCS_SECRET');
  });

  it('never takes an HTML page with HTTP 200 for an empty result', async () => {
    const page =
      '<!DOCTYPE html><html><body><h1>Down for maintenance</h1><p>internal-marker</p></body></html>';
    answer(() => new HttpResponse(page, { status: 200, headers: { 'content-type': 'text/html' } }));
    const error = await failure(makeClient().call('GetClients'));
    expect(error.code).toBe('upstream_error');
    expect(error.message).toMatch(/HTML page/);
    expect(error.message).not.toContain('internal-marker');
    expect(error.internal).toContain('internal-marker');
  });

  it('reports an empty body', async () => {
    answer(() => new HttpResponse('', { status: 200 }));
    const error = await failure(makeClient().call('GetClients'));
    expect(error.code).toBe('upstream_error');
    expect(error.message).toMatch(/empty reply/);
  });

  it('reports truncated JSON without leaking the body', async () => {
    answer(
      () =>
        new HttpResponse('{"result":"success","clients":{"client":[{"id":1,"email":"ada@', { status: 200 }),
    );
    const error = await failure(makeClient().call('GetClients'));
    expect(error.code).toBe('upstream_error');
    expect(error.message).not.toContain('ada@');
  });

  it('refuses a reply over the size cap', async () => {
    const big = JSON.stringify({ result: 'success', notes: 'x'.repeat(5_000) });
    answer(() => new HttpResponse(big, { status: 200, headers: { 'content-type': 'application/json' } }));
    const error = await failure(makeClient({ maxResponseBytes: 1_000 }).call('GetClients'));
    expect(error.code).toBe('upstream_error');
    expect(error.details?.limit_bytes).toBe(1_000);
  });

  it('refuses a streamed reply over the size cap even without content-length', async () => {
    answer(() => {
      const chunk = new TextEncoder().encode('x'.repeat(600));
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"result":"success","notes":"'));
          controller.enqueue(chunk);
          controller.enqueue(chunk);
          controller.enqueue(new TextEncoder().encode('"}'));
          controller.close();
        },
      });
      return new HttpResponse(stream, { status: 200 });
    });
    const error = await failure(makeClient({ maxResponseBytes: 1_000 }).call('GetClients'));
    expect(error.details?.limit_bytes).toBe(1_000);
  });
});

describe('WhmcsClient retries', () => {
  for (const status of [500, 502, 503]) {
    it(`retries a read on HTTP ${status} and succeeds`, async () => {
      const seen = answer((_form, index) =>
        index < 2 ? new HttpResponse('Bad gateway', { status }) : HttpResponse.json({ result: 'success' }),
      );
      const client = makeClient();
      await client.call('GetStats');
      expect(seen).toHaveLength(3);
      expect(client.stats().retries).toBe(2);
    });

    it(`never retries a write on HTTP ${status}`, async () => {
      const seen = answer(() => new HttpResponse('Bad gateway', { status }));
      const error = await failure(
        makeClient().call('AddCredit', { clientid: 1, description: 'x', amount: '10.00' }),
      );
      expect(seen).toHaveLength(1);
      expect(error.code).toBe('upstream_unavailable');
      // A write that failed in transit has an unknown outcome: the write-flow must reconcile it.
      expect(error.details?.delivery).toBe('unknown');
    });
  }

  it('gives up on a read after the configured attempts', async () => {
    const seen = answer(() => new HttpResponse('busy', { status: 503 }));
    const error = await failure(
      makeClient({ retry: { attempts: 4, maxTotalMs: 5_000, minDelayMs: 1, maxDelayMs: 2 } }).call(
        'GetStats',
      ),
    );
    expect(seen).toHaveLength(4);
    expect(error.code).toBe('upstream_unavailable');
  });

  it('does not retry a read on a business error', async () => {
    const seen = answer(() => HttpResponse.json({ result: 'error', message: 'Client ID Not Found' }));
    await failure(makeClient().call('GetClientsDetails', { clientid: 5 }));
    expect(seen).toHaveLength(1);
  });

  it('times out a call that hangs and retries it as a read', async () => {
    const seen = answer(async () => {
      await delay(2_000);
      return HttpResponse.json({ result: 'success' });
    });
    const error = await failure(
      makeClient({
        timeoutMs: 100,
        retry: { attempts: 2, maxTotalMs: 5_000, minDelayMs: 1, maxDelayMs: 2 },
      }).call('GetStats'),
    );
    expect(error.code).toBe('timeout');
    expect(seen).toHaveLength(2);
  });

  it('stops at once when the caller aborts, without retrying', async () => {
    const seen = answer(async () => {
      await delay(2_000);
      return HttpResponse.json({ result: 'success' });
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = performance.now();
    const error = await failure(makeClient().call('GetStats', {}, { signal: controller.signal }));
    expect(error.code).toBe('timeout');
    expect(error.details?.cancelled).toBe(true);
    expect(seen).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(1_500);
  });
});

describe('WhmcsClient malformed UTF-8', () => {
  const xmlReply = `<?xml version="1.0" encoding="utf-8"?>
<whmcsapi version="8.13.0">
<action>getclientsdetails</action>
<result>success</result>
<client><id>7</id><companyname>Caf\uFFFD &amp; Co</companyname></client>
</whmcsapi>`;

  it('repeats a read as XML when the JSON encoder fails', async () => {
    const seen = answer((form) =>
      form.get('responsetype') === 'xml'
        ? new HttpResponse(xmlReply, { status: 200, headers: { 'content-type': 'text/xml' } })
        : HttpResponse.json({
            result: 'error',
            message:
              'Error generating JSON encoded response: Malformed UTF-8 characters, possibly incorrectly encoded',
          }),
    );
    const reply = await makeClient().call('GetClientsDetails', { clientid: 7 });
    expect(seen.map((request) => request.form.get('responsetype'))).toEqual(['json', 'xml']);
    const client = reply.client as Record<string, unknown>;
    expect(client.companyname).toBe('Caf\uFFFD & Co');
  });

  it('does not resend a write whose reply could not be encoded', async () => {
    const seen = answer(() =>
      HttpResponse.json({
        result: 'error',
        message: 'Error generating JSON encoded response: Malformed UTF-8 characters',
      }),
    );
    const error = await failure(makeClient().call('UpdateClient', { clientid: 7, companyname: 'X' }));
    expect(seen).toHaveLength(1);
    expect(error.details?.delivery).toBe('executed_reply_unreadable');
  });
});

describe('WhmcsClient on the wire', () => {
  it('sends credentials and parameters in the form body, never in the URL', async () => {
    const seen = answer(() => HttpResponse.json({ result: 'success' }));
    await makeClient({ accessKey: 'access-key-123' }).call('GetClients', { search: 'ada' });
    const [request] = seen;
    const url = new URL(request!.url);
    expect(url.search).toBe('');
    expect(request!.url).not.toMatch(/ident-abc|secret-xyz|access-key-123/);
    expect(request!.form.get('identifier')).toBe('ident-abc');
    expect(request!.form.get('secret')).toBe('secret-xyz');
    expect(request!.form.get('accesskey')).toBe('access-key-123');
    expect(request!.form.get('action')).toBe('GetClients');
    expect(request!.form.get('responsetype')).toBe('json');
  });

  it('encodes nested parameters in PHP bracket notation', async () => {
    const seen = answer(() => HttpResponse.json({ result: 'success' }));
    await makeClient().call('UpdateClientDomain', {
      domainid: 3,
      dnsmanagement: true,
      idprotection: false,
      nameservers: ['ns1.example.test', 'ns2.example.test'],
      customfields: { 12: 'Zoë', extra: { depth: 'deep' } },
    });
    const form = seen[0]!.form;
    expect(form.get('domainid')).toBe('3');
    expect(form.get('dnsmanagement')).toBe('1');
    expect(form.get('idprotection')).toBe('0');
    expect(form.get('nameservers[0]')).toBe('ns1.example.test');
    expect(form.get('nameservers[1]')).toBe('ns2.example.test');
    expect(form.get('customfields[12]')).toBe('Zoë');
    expect(form.get('customfields[extra][depth]')).toBe('deep');
  });

  it('refuses parameters that would replace the credentials or the action', async () => {
    const seen = answer(() => HttpResponse.json({ result: 'success' }));
    const error = await failure(makeClient().call('GetClients', { identifier: 'other' }));
    expect(error.code).toBe('invalid_input');
    expect(seen).toHaveLength(0);
  });

  it('holds the configured rate over a burst of 200 calls without dropping any', async () => {
    const seen = answer(() => HttpResponse.json({ result: 'success' }));
    const rate = 100;
    const client = makeClient({ rateLimitPerSecond: rate, maxConcurrency: 10 });
    const started = performance.now();
    const results = await Promise.allSettled(Array.from({ length: 200 }, () => client.call('GetStats')));
    const elapsed = performance.now() - started;
    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
    expect(seen).toHaveLength(200);
    // In any one-second window, no more requests arrive than the rate allows.
    const times = seen.map((request) => request.at).sort((a, b) => a - b);
    let busiest = 0;
    for (let start = 0, end = 0; start < times.length; start += 1) {
      while (end < times.length && times[end]! - times[start]! < 1_000) end += 1;
      busiest = Math.max(busiest, end - start);
    }
    // The limiter holds the window on its own clock; arrival times measured here also carry
    // fetch's own jitter, which can squeeze one extra call into a window, never more.
    expect(busiest).toBeLessThanOrEqual(rate + 1);
    // The 101st call has to wait for the first to leave its one-second window.
    expect(elapsed).toBeGreaterThanOrEqual(1_000 - 20);
    console.log(
      `rate limit: 200 calls at ${rate}/s took ${Math.round(elapsed)} ms; busiest 1 s window ${busiest} calls`,
    );
  });
});

describe('WhmcsClient configuration', () => {
  it('refuses http unless explicitly allowed', () => {
    expect(
      () => new WhmcsClient({ apiUrl: 'http://billing.example.test', identifier: 'a', secret: 'b' }),
    ).toThrow(/https/);
    const client = makeClient({ apiUrl: 'http://127.0.0.1:8088', allowHttp: true });
    expect(client.endpoint.href).toBe('http://127.0.0.1:8088/includes/api.php');
  });

  it('accepts a URL that already names api.php, and refuses credentials or a query in it', () => {
    expect(makeClient({ apiUrl: `${BASE}/whmcs/includes/api.php` }).endpoint.pathname).toBe(
      '/whmcs/includes/api.php',
    );
    expect(makeClient({ apiUrl: `${BASE}/whmcs/` }).endpoint.pathname).toBe('/whmcs/includes/api.php');
    expect(() => makeClient({ apiUrl: 'https://user:pw@billing.example.test' })).toThrow(/credentials/);
    expect(() => makeClient({ apiUrl: `${BASE}?identifier=x` })).toThrow(/query/);
  });
});
