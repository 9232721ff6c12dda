/**
 * Some tests spawn the built CLI (`node dist/cli.js serve --sandbox`) the way an MCP host does.
 * `npm ci && npm test` on a fresh clone has no dist/ yet, so build it here when it is missing or
 * older than any source file.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export default function setup(): void {
  const root = join(import.meta.dirname, '..');
  const entry = join(root, 'dist', 'cli.js');
  const stale = !existsSync(entry) || statSync(entry).mtimeMs < newestMtime(join(root, 'src'));
  if (stale) {
    execFileSync(
      process.execPath,
      [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: root,
        stdio: 'inherit',
      },
    );
    execFileSync(process.execPath, [join(root, 'scripts', 'postbuild.mjs')], { cwd: root, stdio: 'inherit' });
  }
}
