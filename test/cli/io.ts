// Captured streams for running the CLI in-process.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import type { CliIo } from '../../src/cli/command.js';

export class CapturedStream extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

export interface CapturedIo extends CliIo {
  stdout: CapturedStream;
  stderr: CapturedStream;
}

/** Streams to capture, the given environment only, and an empty working directory (no .env files). */
export function captureIo(env: NodeJS.ProcessEnv = {}): CapturedIo {
  return {
    stdin: new PassThrough(),
    stdout: new CapturedStream(),
    stderr: new CapturedStream(),
    env,
    cwd: mkdtempSync(join(tmpdir(), 'whmcs-mcp-cli-')),
  };
}
