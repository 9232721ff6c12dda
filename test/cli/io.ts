// Captured streams for running the CLI in-process.
import { mkdtempSync, rmSync } from 'node:fs';
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

const directories: string[] = [];

/** Streams to capture, the given environment only, and an empty working directory (no .env files). */
export function captureIo(env: NodeJS.ProcessEnv = {}): CapturedIo {
  const cwd = mkdtempSync(join(tmpdir(), 'whmcs-mcp-cli-'));
  directories.push(cwd);
  return { stdin: new PassThrough(), stdout: new CapturedStream(), stderr: new CapturedStream(), env, cwd };
}

/** Removes the working directories captureIo made; call from afterEach. */
export function removeCapturedDirectories(): void {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
}
