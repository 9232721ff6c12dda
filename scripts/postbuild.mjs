// Marks the CLI entry executable so `npm link` and `npx whmcs-mcp` work after a build.
import { chmodSync, existsSync } from 'node:fs';

const entry = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('postbuild: dist/cli.js is missing; did tsc fail?');
  process.exit(1);
}
chmodSync(entry, 0o755);
