/**
 * The JSON Schemas tools/list publishes, converted from the registry's zod schemas when the CLI is
 * bundled: scripts/postbuild.mjs converts the very tool modules it bundles and replaces this module
 * in the bundle with one that reads them, so a starting server does not convert every tool on its
 * first tools/list. Everywhere else (the tsc output, tests on src/) there are none and describeTool
 * converts live; test/server/published-tools.test.ts compares the bundle's with the live ones.
 */
import type { Tool } from '@modelcontextprotocol/sdk/types.js';

export interface PublishedToolSchemas {
  inputSchema: Tool['inputSchema'];
  outputSchema: Tool['outputSchema'];
}

/** By tool name; undefined unless this module was replaced by the build. */
export const PUBLISHED_TOOL_SCHEMAS: Readonly<Record<string, PublishedToolSchemas>> | undefined = undefined;
