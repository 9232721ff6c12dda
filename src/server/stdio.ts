/**
 * Serves the runtime over stdio: one principal (the process on the other end of the pipe), stdout
 * reserved for JSON-RPC, everything else on stderr. Ends when the host closes the pipe or on a signal.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Logger } from 'pino';
import { stdioPrincipal } from '../policy/principal.js';
import type { Runtime } from './runtime.js';

export async function serveStdio(runtime: Runtime, logger: Logger): Promise<void> {
  const principal = stdioPrincipal();
  const server = runtime.createServer(() => principal, principal);
  const transport = new StdioServerTransport();
  let closing: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    // Deferred by a microtask so `closing` is set before the body runs: server.close() makes the
    // SDK call onclose synchronously, which comes straight back here.
    closing ??= Promise.resolve().then(async () => {
      logger.info({ reason }, 'stdio server stopping');
      await server.close().catch(() => undefined);
      await runtime.close();
    });
    return closing;
  };
  const finished = new Promise<void>((resolve) => {
    transport.onclose = () => void shutdown('transport closed').then(resolve);
    process.stdin.once('end', () => void shutdown('stdin ended').then(resolve));
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => void shutdown(signal).then(resolve));
    }
  });
  await server.connect(transport);
  logger.info({ mode: runtime.config.mode, access: runtime.config.accessMode }, 'stdio server ready');
  await finished;
}
