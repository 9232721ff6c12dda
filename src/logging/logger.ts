/**
 * The process logger. It writes to stderr (fd 2) unless told otherwise and never to stdout, which
 * carries JSON-RPC for the MCP server. Everything logged passes through redaction first.
 */
import { createRequire } from 'node:module';
import { isatty } from 'node:tty';
import pino, { type DestinationStream, type Logger, type LoggerOptions as PinoOptions } from 'pino';
import type pretty from 'pino-pretty';
import { maskCardNumbers } from './card-scan.js';
import { redactText, redactValue } from './redact.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** A pino level: fatal, error, warn, info (default), debug, trace or silent. */
  level?: string;
  /** json (default): one object a line; pretty: for a person at a terminal. */
  format?: 'json' | 'pretty';
  /** Where lines go: a stream, or a file descriptor (default 2, stderr). */
  destination?: NodeJS.WritableStream | number;
}

const STDOUT = 1;

/** pino-pretty (a CommonJS module) loads only for a pretty logger: a server logging JSON never pays for it. */
function prettyStream(options: pretty.PrettyOptions): pretty.PrettyStream {
  const load = createRequire(import.meta.url);
  return (load('pino-pretty') as typeof pretty)(options);
}

function redactArguments(args: unknown[]): unknown[] {
  const [first, ...rest] = args;
  const formatArgs = rest.map((arg) => (typeof arg === 'string' ? redactText(arg) : redactValue(arg)));
  if (first instanceof Error) {
    // Keep pino's convention: an error logged alone lands under `err` with its message as msg.
    const err = redactValue(first);
    return formatArgs.length === 0 ? [{ err }, redactText(first.message)] : [{ err }, ...formatArgs];
  }
  if (typeof first === 'string') return [redactText(first), ...formatArgs];
  if (first !== null && typeof first === 'object') return [redactValue(first), ...formatArgs];
  return [first, ...formatArgs];
}

/**
 * The last pass over each finished line. pino formats messages, applies child bindings and
 * prefixes after the logMethod hook, so only the finished line is certain to hold everything.
 */
function redactLine(line: string): string {
  try {
    return `${JSON.stringify(redactValue(JSON.parse(line)))}\n`;
  } catch {
    return maskCardNumbers(line);
  }
}

function destinationStream(options: LoggerOptions): DestinationStream | NodeJS.WritableStream {
  const destination = options.destination ?? 2;
  if (destination === STDOUT) {
    throw new Error('The logger must not write to stdout: it carries the MCP protocol.');
  }
  if (options.format === 'pretty') {
    // In-process stream, not a worker transport: a transport's worker could end up on stdout.
    return prettyStream({
      destination,
      sync: true,
      colorize: typeof destination === 'number' && isatty(destination),
    });
  }
  return typeof destination === 'number' ? pino.destination({ dest: destination, sync: true }) : destination;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const settings: PinoOptions = {
    level: options.level ?? 'info',
    hooks: {
      logMethod(args, method) {
        method.apply(this, redactArguments(args) as Parameters<typeof method>);
      },
      streamWrite: redactLine,
    },
    // Errors reach pino already turned into plain redacted objects (type, message, stack, ...);
    // the default err serializer would relabel them as "Object".
    serializers: { err: (value: unknown) => value },
    formatters: {
      bindings: (bindings) => redactValue(bindings) as Record<string, unknown>,
    },
  };
  return pino(settings, destinationStream(options));
}
