/**
 * The HTTP server's life: it refuses to listen beyond loopback without authentication, reports
 * health and readiness (naming the failed check, never a secret), and on shutdown stops accepting
 * connections while a slow call in flight finishes, then closes its sessions and the runtime.
 * The last case runs the built CLI and stops it with SIGTERM, as an orchestrator would.
 */
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConsumerRegistry } from '../../src/consumers/registry.js';
import { emptyConsumersFile, writeConsumersFile } from '../../src/consumers/file.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { SEED_FACTS } from '../../src/sandbox/seed.js';
import { HttpServerConfigError, httpServerOptions, startHttpServer } from '../../src/server/http/server.js';
import { createMetrics } from '../../src/server/metrics.js';
import { callOk } from '../helpers/mcp-harness.js';
import { startHttpHarness, testRuntime } from './helpers.js';

const directories: string[] = [];
const sandboxes: RunningSandbox[] = [];

function temporaryDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'whmcs-mcp-http-life-'));
  directories.push(directory);
  return directory;
}

async function sandbox(options: Parameters<typeof startSandbox>[0] = {}): Promise<RunningSandbox> {
  const started = await startSandbox({ port: 0, ...options });
  sandboxes.push(started);
  return started;
}

afterEach(async () => {
  await Promise.all(sandboxes.splice(0).map((running) => running.close()));
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

/** Resolves with the error code of a fresh TCP connection attempt, or 'connected'. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

describe('listening address', () => {
  it('refuses a non-loopback address without authentication', async () => {
    const directory = temporaryDirectory();
    const { runtime, config, logger } = testRuntime(await sandbox(), directory);
    try {
      for (const host of ['0.0.0.0', '::', '192.0.2.10', 'mcp.example.com']) {
        await expect(
          startHttpServer(runtime, { ...httpServerOptions(config, logger), host }),
          host,
        ).rejects.toThrow(HttpServerConfigError);
      }
    } finally {
      await runtime.close();
    }
  });

  it('listens on a non-loopback address once a consumers file is configured', async () => {
    const directory = temporaryDirectory();
    const { runtime, config, logger } = testRuntime(await sandbox(), directory);
    const path = join(directory, 'consumers.json');
    writeConsumersFile(path, emptyConsumersFile());
    const consumers = await ConsumerRegistry.open(path, logger);
    const server = await startHttpServer(runtime, {
      ...httpServerOptions(config, logger, { consumers }),
      host: '0.0.0.0',
    });
    try {
      const response = await fetch(`http://127.0.0.1:${server.port}/mcp`, { method: 'POST' });
      expect(response.status).toBe(401);
    } finally {
      await server.close();
    }
  });
});

describe('health and readiness', () => {
  it('reports up and ready, and names the failed check without secrets when WHMCS is down', async () => {
    const whmcs = await sandbox();
    const harness = await startHttpHarness({
      sandbox: whmcs,
      env: { WHMCS_RETRY_ATTEMPTS: '1' },
      http: { readinessCacheMs: 0 },
    });
    try {
      expect(await (await fetch(`${harness.server.url}/healthz`)).json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${harness.server.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({
        status: 'ready',
        checks: { store: { ok: true }, whmcs: { ok: true }, consumers: { ok: true } },
      });

      whmcs.faults.set({ rates: { serverError: 1 } });
      const down = await fetch(`${harness.server.url}/readyz`);
      expect(down.status).toBe(503);
      const text = await down.text();
      expect(JSON.parse(text)).toEqual({
        status: 'not_ready',
        checks: {
          store: { ok: true },
          whmcs: { ok: false, code: 'upstream_unavailable' },
          consumers: { ok: true },
        },
      });
      for (const secret of [whmcs.secret, whmcs.identifier, whmcs.url]) expect(text).not.toContain(secret);
      // Liveness does not depend on WHMCS.
      expect((await fetch(`${harness.server.url}/healthz`)).status).toBe(200);
    } finally {
      whmcs.faults.clear();
      await harness.close();
    }
  });

  it('fails the store check when the state file is gone', async () => {
    const harness = await startHttpHarness({ http: { readinessCacheMs: 0 } });
    try {
      rmSync(join(harness.directory, 'state.sqlite'), { force: true });
      const response = await fetch(`${harness.server.url}/readyz`);
      expect(response.status).toBe(503);
      const body = (await response.json()) as { checks: Record<string, { ok: boolean }> };
      expect(body.checks.store?.ok).toBe(false);
      expect(body.checks.whmcs?.ok).toBe(true);
    } finally {
      await harness.close();
    }
  });
});

describe('/metrics', () => {
  it('is mounted with its own token, counts /mcp requests, and is reachable by IP for the scraper', async () => {
    const directory = temporaryDirectory();
    const { runtime, config, logger } = testRuntime(await sandbox(), directory);
    const metricsToken = 'scrape-token-0123456789abcdef';
    const metrics = createMetrics(runtime, { token: metricsToken });
    const server = await startHttpServer(runtime, { ...httpServerOptions(config, logger, { metrics }) });
    try {
      // No JSON body: a 400 from /mcp, counted under its route.
      await (await fetch(server.mcpUrl, { method: 'POST' })).body?.cancel();
      expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
      const scrape = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        // A scraper addresses the pod by IP, a Host the DNS-rebinding check would refuse on /mcp.
        const request = httpRequest(
          `${server.url}/metrics`,
          { headers: { Host: '10.1.2.3:8080', Authorization: `Bearer ${metricsToken}` } },
          (response) => {
            let text = '';
            response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
          },
        );
        request.on('error', reject);
        request.end();
      });
      expect(scrape.status).toBe(200);
      expect(scrape.text).toMatch(/whmcs_mcp_http_requests_total\{route="\/mcp",status="400"\} 1/);
    } finally {
      await server.close();
      metrics.close();
    }
  });
});

describe('graceful shutdown', () => {
  it('refuses new connections while a slow call in flight completes, then closes the runtime', async () => {
    const slow = await sandbox({ faults: { latencyByAction: { GetClientsDetails: 1500 } } });
    const harness = await startHttpHarness({ sandbox: slow });
    const client = await harness.connect(harness.addConsumer({ label: 'agent', roles: ['reader'] }));

    const call = callOk(client, 'get_client_details', { client_id: SEED_FACTS.demoClient.id });
    while ((slow.stats().actions.GetClientsDetails ?? 0) === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const closing = harness.server.close('SIGTERM');

    expect(await tryConnect(harness.server.port)).toBe('ECONNREFUSED');
    const result = await call;
    expect(JSON.stringify(result)).toContain(SEED_FACTS.demoClient.email);
    await closing;
    expect(harness.server.sessionCount()).toBe(0);
    await expect(harness.runtime.whmcs.call('WhmcsDetails')).rejects.toThrow(/closed/);
    await harness.close();
  });

  it('aborts a call still running when the grace runs out, cancelling its WHMCS request', async () => {
    const slow = await sandbox({ faults: { latencyByAction: { GetClientsDetails: 5000 } } });
    const harness = await startHttpHarness({ sandbox: slow, http: { shutdownGraceMs: 100 } });
    const client = await harness.connect(harness.addConsumer({ label: 'agent', roles: ['reader'] }));
    // Without a response the SDK client would wait for its own timeout; the server side is what counts.
    void client.callTool({ name: 'get_client_details', arguments: { client_id: 1 } }).catch(() => undefined);
    while ((slow.stats().actions.GetClientsDetails ?? 0) === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await harness.server.close('SIGTERM');
    expect(
      harness.logs.withMessage('shutdown grace ran out; calls still in flight are aborted'),
    ).toHaveLength(1);
    const toolCall = harness.logs.withMessage('tool call').find((line) => line.tool === 'get_client_details');
    expect(toolCall?.outcome).not.toBe('success');
    const access = harness.logs
      .withMessage('http request')
      .find((line) => line.tool === 'get_client_details');
    expect(access?.outcome).toBe('closed_at_shutdown');
    await harness.close();
  });
});

describe('whmcs-mcp serve --http (built CLI)', () => {
  it('serves MCP over HTTP against the sandbox and stops cleanly on SIGTERM', async () => {
    const workdir = temporaryDirectory();
    const cli = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
    const child = spawn(process.execPath, [cli, 'serve', '--http', '--port', '0', '--sandbox'], {
      cwd: workdir,
      env: {
        PATH: process.env.PATH ?? '',
        MCP_ENV: 'test',
        MCP_STATE_DB: join(workdir, 'state.sqlite'),
        MCP_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
        const match = /MCP over Streamable HTTP at (\S+)/.exec(stderr);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const ready = await fetch(new URL('/readyz', url));
      expect(ready.status).toBe(200);
      const initialize = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: {
            protocolVersion: '2025-06-18',
            capabilities: {},
            clientInfo: { name: 'cli', version: '1' },
          },
        }),
      });
      expect(initialize.status).toBe(200);
      expect(initialize.headers.get('mcp-session-id')).toBeTruthy();
      await initialize.body?.cancel();
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/SANDBOX MODE/);
  });

  it('refuses --host 0.0.0.0 without authentication and exits 1', async () => {
    const workdir = temporaryDirectory();
    const cli = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
    const child = spawn(
      process.execPath,
      [cli, 'serve', '--http', '--host', '0.0.0.0', '--port', '0', '--sandbox'],
      {
        cwd: workdir,
        env: { PATH: process.env.PATH ?? '', MCP_ENV: 'test', MCP_STATE_DB: join(workdir, 'state.sqlite') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', (exit) => resolve(exit)));
    expect(code).toBe(1);
    expect(stderr).toMatch(/Refusing to listen on 0\.0\.0\.0/);
  });
});
