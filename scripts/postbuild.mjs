// After `tsc`: bundles the CLI so `whmcs-mcp serve` starts fast, and marks the entry executable so
// `npm link` and `npx whmcs-mcp` work.
//
// Node's ESM loader spends about a millisecond per module file resolving, reading and linking it,
// and a stdio server loads ~500 of them (zod alone is 125), so dist/cli.js becomes a launcher of
// dist/bundle/main.js: dist/cli/main.js and everything it imports, bundled by esbuild from the tsc
// output (the same JavaScript, linked into a few files; code a command or transport loads with
// import() stays in chunks of its own). Beside it, dist/bundle/tool-schemas.json holds the JSON
// Schemas tools/list publishes, converted here from the very tool modules the bundle holds; the
// bundle reads them at start instead of converting (src/server/published-tools.ts).
// The rest of dist/ stays as tsc wrote it, for the tests and scripts that import its modules.
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const entry = `${dist}cli.js`;
const bundleDir = `${dist}bundle`;
if (!existsSync(entry)) {
  console.error('postbuild: dist/cli.js is missing; did tsc fail?');
  process.exit(1);
}

// Packages left out of the bundle, loaded from node_modules at run time: a native addon, pino
// (its transports find worker files beside their own), and undici, which the WHMCS client loads
// on its first call.
const EXTERNAL = ['better-sqlite3', 'pino', 'pino-pretty', 'undici'];
const TSC_IMPORT = "from './cli/main.js';";
const BUNDLE_IMPORT = "from './bundle/main.js';";
const SCHEMAS_FILE = 'tool-schemas.json';

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  esbuild = undefined;
}

if (esbuild === undefined) {
  // esbuild comes with the dev tooling (tsx, vitest); without it dist/ still runs, unbundled.
  console.warn('postbuild: esbuild is not installed; dist/cli.js stays unbundled (slower start-up).');
} else {
  const launcher = readFileSync(entry, 'utf8');
  if (!launcher.includes(TSC_IMPORT) && !launcher.includes(BUNDLE_IMPORT)) {
    console.error(`postbuild: dist/cli.js no longer imports ./cli/main.js; update scripts/postbuild.mjs.`);
    process.exit(1);
  }
  const published = await publishedToolSchemas();
  rmSync(bundleDir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: { main: `${dist}cli/main.js` },
    outdir: bundleDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    chunkNames: 'chunk-[hash]',
    // Whitespace and syntax only: names stay, so class and function names in logs do not change.
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'linked',
    sourcesContent: false,
    // CommonJS packages inside the bundle (ajv, prom-client, bottleneck) call require() for
    // Node's built-in modules.
    banner: {
      js: "import { createRequire as __whmcsMcpRequire } from 'node:module'; const require = __whmcsMcpRequire(import.meta.url);",
    },
    logLevel: 'warning',
    plugins: [
      {
        name: 'published-tool-schemas',
        setup(build) {
          // Read from a file beside the chunks rather than inlined: the chunk's source text stays in
          // memory for as long as the process runs, and the schemas need not.
          build.onLoad({ filter: /[\\/]dist[\\/]server[\\/]published-tools\.js$/ }, () => ({
            contents: [
              "import { readFileSync } from 'node:fs';",
              `export const PUBLISHED_TOOL_SCHEMAS = JSON.parse(readFileSync(new URL('./${SCHEMAS_FILE}', import.meta.url), 'utf8'));`,
            ].join('\n'),
            loader: 'js',
          }));
        },
      },
    ],
  });
  // test/server/published-tools.test.ts compares this file with a live conversion of every tool.
  writeFileSync(`${bundleDir}/${SCHEMAS_FILE}`, JSON.stringify(published));
  writeFileSync(
    entry,
    launcher.replace(TSC_IMPORT, BUNDLE_IMPORT).replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n'),
  );
}
chmodSync(entry, 0o755);

/** Every registry tool's input and output JSON Schema, converted as the server converts them. */
async function publishedToolSchemas() {
  const { ALL_TOOLS } = await import(pathToFileURL(`${dist}tools/registry.js`).href);
  const { convertToolSchemas } = await import(pathToFileURL(`${dist}server/mcp-server.js`).href);
  return Object.fromEntries(ALL_TOOLS.map((tool) => [tool.name, convertToolSchemas(tool)]));
}
