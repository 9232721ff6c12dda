import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sandboxHandlers } from '../../src/sandbox/actions/index.js';
import { runCli } from '../../src/cli/main.js';
import { COMMANDS } from '../../src/cli/registry.js';
import { runSandboxCommand, sandboxCliCommand, sandboxCommand } from '../../src/sandbox/command.js';
import { EXAMPLE_REPLIES } from '../../src/sandbox/generated/example-replies.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { listActions } from '../../src/whmcs/actions.js';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

async function call(
  sandbox: Pick<RunningSandbox, 'apiUrl'>,
  params: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const response = await fetch(sandbox.apiUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  return { status: response.status, text: await response.text() };
}

function withCredentials(params: Record<string, string>): Record<string, string> {
  return { identifier: 'sandbox', secret: 'sandbox-secret', ...params };
}

describe('startSandbox', () => {
  it('starts on a free port with the documented defaults and serves stateful WHMCS calls', async () => {
    const sandbox = await startSandbox({ port: 0, clients: 12, seed: 5 });
    try {
      expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(sandbox.apiUrl).toBe(`${sandbox.url}/includes/api.php`);
      expect(sandbox.port).toBeGreaterThan(0);
      expect([sandbox.identifier, sandbox.secret, sandbox.adminUsername]).toEqual([
        'sandbox',
        'sandbox-secret',
        'admin',
      ]);
      expect(sandbox.adminToken.length).toBeGreaterThanOrEqual(24);

      const invoice = JSON.parse(
        (await call(sandbox, withCredentials({ action: 'getinvoice', invoiceid: '1' }))).text,
      );
      expect(invoice).toMatchObject({ result: 'success', invoiceid: 1 });

      const md5 = createHash('md5').update(sandbox.adminPassword).digest('hex');
      const legacy = await call(sandbox, {
        action: 'GetInvoice',
        invoiceid: '1',
        username: 'admin',
        password: md5,
      });
      expect(JSON.parse(legacy.text)).toMatchObject({ result: 'success', invoiceid: 1 });

      const denied = await call(sandbox, {
        action: 'GetInvoice',
        invoiceid: '1',
        identifier: 'sandbox',
        secret: 'x',
      });
      expect(denied.status).toBe(403);

      const missing = await call(sandbox, withCredentials({ action: 'GetInvoice' }));
      expect(JSON.parse(missing.text)).toEqual({ result: 'error', message: 'Invoice ID Not Found' });
    } finally {
      await sandbox.close();
    }
    await expect(fetch(sandbox.apiUrl)).rejects.toThrow();
  });

  it('answers documented reads it does not emulate with their example, and refuses such writes', async () => {
    const sandbox = await startSandbox({ port: 0, clients: 10 });
    try {
      const emulated = new Set(Object.keys(sandboxHandlers));
      const reads = listActions().filter(
        (action) =>
          action.kind === 'read' &&
          !emulated.has(action.name) &&
          action.params.every((param) => !param.required || param.name === 'action'),
      );
      const writes = listActions().filter(
        (action) =>
          action.kind === 'write' &&
          !emulated.has(action.name) &&
          action.params.every((param) => !param.required || param.name === 'action'),
      );
      expect(reads.length).toBeGreaterThan(0);
      for (const action of reads.slice(0, 5)) {
        const reply = await call(sandbox, withCredentials({ action: action.name }));
        expect(JSON.parse(reply.text)).toEqual(EXAMPLE_REPLIES[action.name]);
      }
      for (const action of writes.slice(0, 3)) {
        const reply = await call(sandbox, withCredentials({ action: action.name }));
        expect(JSON.parse(reply.text)).toEqual({
          result: 'error',
          message: `The WHMCS sandbox does not emulate ${action.name}; it is a write, so nothing was changed`,
        });
      }
    } finally {
      await sandbox.close();
    }
  });

  it('takes faults at start and at run time, and resets its data', async () => {
    const sandbox = await startSandbox({
      port: 0,
      clients: 10,
      faults: { next: [{ fault: 'maintenance' }] },
    });
    try {
      const maintenance = await call(sandbox, withCredentials({ action: 'GetInvoice', invoiceid: '1' }));
      expect(maintenance.text).toContain('Down for Maintenance');
      sandbox.faults.set({ next: [{ fault: 'serverError' }], serverErrorStatuses: [503] });
      expect((await call(sandbox, withCredentials({ action: 'GetInvoice', invoiceid: '1' }))).status).toBe(
        503,
      );
      expect(sandbox.faults.active).toBe(false);

      const before = sandbox.state;
      sandbox.reset({ seed: 9 });
      expect(sandbox.state).not.toBe(before);
      expect(sandbox.stats()).toEqual({ requests: 0, actions: {} });
      const admin = await fetch(`${sandbox.url}/__sandbox/reset`, {
        method: 'POST',
        headers: { authorization: `Bearer ${sandbox.adminToken}` },
      });
      expect(admin.status).toBe(200);
    } finally {
      await sandbox.close();
    }
  });

  it('honours the allowlist, access key and test IP header options', async () => {
    const sandbox = await startSandbox({
      port: 0,
      clients: 10,
      ipAllowlist: ['192.0.2.10'],
      accessKey: 'open-sesame',
      trustClientIpHeader: true,
    });
    try {
      const refused = await call(sandbox, withCredentials({ action: 'GetInvoice', invoiceid: '1' }));
      expect(refused.status).toBe(403);
      expect(JSON.parse(refused.text)).toEqual({ result: 'error', message: 'Invalid IP 127.0.0.1' });
      const withKey = await call(
        sandbox,
        withCredentials({ action: 'GetInvoice', invoiceid: '1', accesskey: 'open-sesame' }),
      );
      expect(withKey.status).toBe(200);
    } finally {
      await sandbox.close();
    }
  });
});

function captureStream(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  return { stream, text: () => text };
}

describe('whmcs-mcp sandbox command', () => {
  it('is shaped for the CLI registry', () => {
    expect(sandboxCommand.name).toBe('sandbox');
    expect(sandboxCommand.summary.length).toBeGreaterThan(10);
    expect(sandboxCommand.help).toContain('Usage: whmcs-mcp sandbox');
  });

  it('prints the URL and the credentials it accepts, serves, and stops when told', async () => {
    const stdout = captureStream();
    const stderr = captureStream();
    const controller = new AbortController();
    let listening: RunningSandbox | undefined;
    const exit = runSandboxCommand(['--port', '0', '--clients', '10', '--seed', '3', '--secret', 'hunter2'], {
      stdout: stdout.stream,
      stderr: stderr.stream,
      env: {},
      signal: controller.signal,
      onListening: (sandbox) => {
        listening = sandbox;
      },
    });
    await waitUntil(() => listening !== undefined);
    const sandbox = listening as RunningSandbox;
    const output = stdout.text();
    expect(output).toContain(`WHMCS sandbox listening on ${sandbox.url}`);
    expect(output).toContain(`API URL        ${sandbox.apiUrl}`);
    expect(output).toMatch(/identifier\s+sandbox\n/);
    expect(output).toMatch(/secret\s+hunter2\n/);
    expect(output).toContain('data           10 clients, seed 3');
    expect(output).toContain(`WHMCS_API_URL=${sandbox.url} WHMCS_IDENTIFIER=sandbox WHMCS_SECRET=hunter2`);
    const reply = await call(sandbox, {
      action: 'GetInvoice',
      invoiceid: '1',
      identifier: 'sandbox',
      secret: 'hunter2',
    });
    expect(JSON.parse(reply.text)).toMatchObject({ result: 'success' });
    controller.abort();
    expect(await exit).toBe(0);
    expect(stdout.text()).toContain('WHMCS sandbox stopped');
    expect(stderr.text()).toBe('');
    await expect(fetch(sandbox.apiUrl)).rejects.toThrow();
  });

  it('takes faults from the environment and from flags, flags winning', async () => {
    const stdout = captureStream();
    const controller = new AbortController();
    let listening: RunningSandbox | undefined;
    const exit = runSandboxCommand(
      ['--port', '0', '--clients', '10', '--error-rate', '1', '--fault-seed', '4'],
      {
        stdout: stdout.stream,
        stderr: captureStream().stream,
        env: { SANDBOX_ERROR_RATE: '0.1', SANDBOX_LATENCY_MS: '1' },
        signal: controller.signal,
        onListening: (sandbox) => {
          listening = sandbox;
        },
      },
    );
    await waitUntil(() => listening !== undefined);
    const sandbox = listening as RunningSandbox;
    expect(sandbox.faults.settings).toEqual({ latencyMs: 1, rates: { serverError: 1 }, seed: 4 });
    expect(stdout.text()).toContain('faults         {');
    expect([500, 502, 503]).toContain((await call(sandbox, { action: 'GetInvoice' })).status);
    controller.abort();
    expect(await exit).toBe(0);
  });

  it('prints help and refuses bad usage with exit code 2', async () => {
    const help = captureStream();
    expect(await runSandboxCommand(['--help'], { stdout: help.stream, env: {} })).toBe(0);
    expect(help.text()).toContain('--latency-ms <ms>');
    expect(help.text()).toContain('SANDBOX_ERROR_RATE');
    expect(help.text()).toContain('SANDBOX_FAULTS');
    for (const argv of [
      ['--port', 'eighty'],
      ['--nonsense'],
      ['--error-rate', '2'],
      ['--faults', '{bad'],
      ['extra'],
    ]) {
      const stderr = captureStream();
      expect(
        await runSandboxCommand(argv, { stdout: captureStream().stream, stderr: stderr.stream, env: {} }),
      ).toBe(2);
      expect(stderr.text()).toContain('whmcs-mcp sandbox:');
    }
    const envProblem = captureStream();
    expect(
      await runSandboxCommand(['--port', '0'], {
        stdout: captureStream().stream,
        stderr: envProblem.stream,
        env: { SANDBOX_HANG_RATE: 'sometimes' },
      }),
    ).toBe(2);
    expect(envProblem.text()).toContain('SANDBOX_HANG_RATE');
  });

  it('reports a port in use with exit code 1', async () => {
    const sandbox = await startSandbox({ port: 0, clients: 10 });
    try {
      const stderr = captureStream();
      const code = await runSandboxCommand(['--port', String(sandbox.port), '--clients', '10'], {
        stdout: captureStream().stream,
        stderr: stderr.stream,
        env: {},
      });
      expect(code).toBe(1);
      expect(stderr.text()).toContain('already in use');
    } finally {
      await sandbox.close();
    }
  });

  it('runs through the CLI frame: help, usage errors, start and stop', async () => {
    const frame = { commands: [sandboxCliCommand] };
    const help = captureStream();
    expect(await runCli(['sandbox', '--help'], { stdout: help.stream }, frame)).toBe(0);
    expect(help.text()).toContain('--latency-ms <ms>');
    expect(help.text()).toContain('SANDBOX_ERROR_RATE');
    const usage = captureStream();
    expect(
      await runCli(['sandbox', '--port', 'x'], { stdout: usage.stream, stderr: usage.stream }, frame),
    ).toBe(2);
    expect(usage.text()).toContain('--port must be a whole number');

    const stdout = captureStream();
    const controller = new AbortController();
    let listening: RunningSandbox | undefined;
    // The frame passes the io object through, so the test's stop signal reaches the command.
    const io = {
      stdout: stdout.stream,
      stderr: captureStream().stream,
      env: {},
      signal: controller.signal,
      onListening: (sandbox: RunningSandbox) => {
        listening = sandbox;
      },
    };
    const exit = runCli(['sandbox', '--port', '0', '--clients', '10'], io, frame);
    await waitUntil(() => listening !== undefined);
    expect(stdout.text()).toContain(`WHMCS sandbox listening on ${(listening as RunningSandbox).url}`);
    controller.abort();
    expect(await exit).toBe(0);
  });

  it('runs as a process, prints its URL, and exits cleanly on SIGTERM', async () => {
    // The real entry point, as a user runs it: whmcs-mcp sandbox.
    expect(COMMANDS.some((command) => command.name === 'sandbox')).toBe(true);
    const entry = ['--import', 'tsx', 'src/cli.ts'];
    const child = spawn(process.execPath, [...entry, 'sandbox', '--port', '0', '--clients', '10'], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await waitUntil(() => /Stop with Ctrl\+C/.test(output), 15_000);
    const url = /listening on (http:\/\/\S+)/.exec(output)?.[1] as string;
    const reply = await call(
      { apiUrl: `${url}/includes/api.php` },
      withCredentials({ action: 'GetInvoice', invoiceid: '1' }),
    );
    expect(reply.status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('WHMCS sandbox stopped (SIGTERM).');
  });
});

/** Polls until `ready` holds (servers and child processes report readiness asynchronously). */
async function waitUntil(ready: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the sandbox');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
