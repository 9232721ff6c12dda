/**
 * Generates the reference documentation from the code that the server runs, so the two cannot
 * disagree:
 *   - docs/tools.md from ALL_TOOLS (through describeTool, exactly what tools/list publishes),
 *     ALL_RESOURCES and ALL_PROMPTS;
 *   - the configuration reference in README.md, between the config-reference markers, from
 *     CONFIG_VARIABLES.
 *
 *   npx tsx scripts/generate-docs.ts           write both (npm run docs)
 *   npx tsx scripts/generate-docs.ts --check   exit 1 when either is stale (npm run docs:check)
 *
 * Runs from the TypeScript sources with tsx: no build is needed. Output is deterministic (no
 * dates, registry order), so the drift test in test/docs.test.ts can compare it byte for byte.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CONFIG_VARIABLES, type ConfigGroup, type ConfigVariable } from '../src/config/variables.js';
import { requiredRoleOf, type ClientModeRule } from '../src/policy/policy.js';
import { TOOLSETS, type Toolset } from '../src/policy/principal.js';
import type { PromptDefinition } from '../src/prompts/define.js';
import { ALL_PROMPTS } from '../src/prompts/registry.js';
import type { ResourceDefinition } from '../src/resources/define.js';
import { ALL_RESOURCES } from '../src/resources/registry.js';
import { ANY_READ_ACTION } from '../src/server/gateway.js';
import { describeTool } from '../src/server/mcp-server.js';
import type { AnyToolDefinition } from '../src/tools/define.js';
import { ALL_TOOLS } from '../src/tools/registry.js';
import type { EffectTag } from '../src/whmcs/action-types.js';

export const REGENERATE_COMMAND = 'npm run docs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const TOOLS_DOC_PATH = 'docs/tools.md';
export const README_PATH = 'README.md';

export const CONFIG_MARKERS = {
  start: '<!-- config-reference:start -->',
  end: '<!-- config-reference:end -->',
} as const;

// ---------------------------------------------------------------------------------------------
// Markdown helpers
// ---------------------------------------------------------------------------------------------

/** Text for one table cell: no line breaks, and a pipe cannot end the cell. */
function cell(value: string): string {
  return value.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}

/** Inline code that survives backticks inside the value. */
function code(value: string): string {
  const fence = value.includes('`') ? '``' : '`';
  const pad = value.startsWith('`') || value.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${value}${pad}${fence}`;
}

/**
 * Text from the registries, made safe for Markdown: outside code spans a `<` may start an HTML tag
 * (`<id>` would vanish on GitHub), so it becomes an entity.
 */
function prose(text: string): string {
  return text
    .split(/(`[^`\n]*`)/)
    .map((part, index) => (index % 2 === 1 ? part : part.replace(/</g, '&lt;')))
    .join('');
}

function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
}

function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}

// ---------------------------------------------------------------------------------------------
// Configuration reference (README.md)
// ---------------------------------------------------------------------------------------------

const CONFIG_GROUP_TITLES: Record<ConfigGroup, string> = {
  upstream: 'WHMCS connection (`WHMCS_*`)',
  server: 'Server, policy, write-flow and HTTP (`MCP_*`)',
  logging: 'Logging',
};

const CONFIG_GROUP_ORDER: readonly ConfigGroup[] = ['upstream', 'server', 'logging'];

function requiredText(variable: ConfigVariable): string {
  if (variable.requiredWhen === undefined) return 'no';
  return variable.requiredWhen === 'always' ? 'yes' : `when ${variable.requiredWhen}`;
}

/** The README section body between the markers (markers excluded), ending with a newline. */
export function renderConfigReference(variables: readonly ConfigVariable[] = CONFIG_VARIABLES): string {
  const lines: string[] = [
    `Generated from \`src/config/variables.ts\` by \`${REGENERATE_COMMAND}\`; do not edit by hand.`,
    'Values come from the process environment, then `.env.<MCP_ENV>`, then `.env`. A secret is never',
    'echoed in an error message or a log line.',
  ];
  const groups = new Set(variables.map((variable) => variable.group));
  for (const group of groups) {
    if (!CONFIG_GROUP_ORDER.includes(group)) throw new Error(`No title for configuration group '${group}'`);
  }
  for (const group of CONFIG_GROUP_ORDER) {
    const members = variables.filter((variable) => variable.group === group);
    if (members.length === 0) continue;
    lines.push('', `### ${CONFIG_GROUP_TITLES[group]}`, '');
    lines.push(
      ...table(
        ['Variable', 'Default', 'Required', 'Secret', 'Description'],
        members.map((variable) => [
          code(variable.name),
          variable.defaultText === undefined ? 'unset' : code(variable.defaultText),
          requiredText(variable),
          yesNo(variable.secret),
          prose(variable.description),
        ]),
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The text between the markers, or undefined when the markers are missing or out of order. */
export function extractMarkedSection(document: string): string | undefined {
  const start = document.indexOf(CONFIG_MARKERS.start);
  const end = document.indexOf(CONFIG_MARKERS.end);
  if (start < 0 || end < start) return undefined;
  if (document.indexOf(CONFIG_MARKERS.start, start + 1) >= 0) return undefined;
  if (document.indexOf(CONFIG_MARKERS.end, end + 1) >= 0) return undefined;
  return document.slice(start + CONFIG_MARKERS.start.length, end);
}

/** Replaces what sits between the markers; the rest of the document is left byte for byte. */
export function replaceMarkedSection(document: string, body: string): string {
  if (extractMarkedSection(document) === undefined) {
    throw new Error(
      `${README_PATH} must contain ${CONFIG_MARKERS.start} and then ${CONFIG_MARKERS.end}, each exactly once`,
    );
  }
  const start = document.indexOf(CONFIG_MARKERS.start) + CONFIG_MARKERS.start.length;
  const end = document.indexOf(CONFIG_MARKERS.end);
  // A blank line before the end marker keeps it out of the last table.
  return `${document.slice(0, start)}\n${body}\n${document.slice(end)}`;
}

// ---------------------------------------------------------------------------------------------
// Tools reference (docs/tools.md): JSON Schema to readable rows
// ---------------------------------------------------------------------------------------------

interface JsonSchema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
}

/** The exact-money convention from src/tools/schemas.ts, named rather than shown as a regex. */
const MONEY_PATTERN = '^-?\\d+\\.\\d{2}$';

function isUntrustedText(schema: JsonSchema): boolean {
  return schema.type === 'object' && schema.properties?.untrusted?.const === true;
}

function isMap(schema: JsonSchema): boolean {
  return (
    schema.type === 'object' &&
    schema.properties === undefined &&
    typeof schema.additionalProperties === 'object'
  );
}

/** Type names of a schema; nested compound types are named shallowly past the first level. */
function typeNames(schema: JsonSchema, depth: number): string[] {
  if (schema.const !== undefined) return [`${JSON.stringify(schema.const)} (constant)`];
  if (schema.anyOf !== undefined) return schema.anyOf.flatMap((variant) => typeNames(variant, depth));
  if (Array.isArray(schema.type)) {
    return schema.type.flatMap((type) => typeNames({ ...schema, type }, depth));
  }
  switch (schema.type) {
    case 'string':
      return [schema.pattern === MONEY_PATTERN ? 'decimal string' : 'string'];
    case 'array':
      if (depth > 0 || schema.items === undefined) return ['array'];
      return [`array of ${joinTypes(typeNames(schema.items, depth + 1))}`];
    case 'object':
      if (isUntrustedText(schema)) return ['untrusted text'];
      if (depth > 0) return ['object'];
      if (isMap(schema)) {
        const values = joinTypes(typeNames(schema.additionalProperties as JsonSchema, depth + 1));
        return [values === 'any' ? 'object' : `object of any names; values: ${values}`];
      }
      return ['object'];
    case undefined:
      return ['any'];
    default:
      return [schema.type];
  }
}

function joinTypes(names: readonly string[]): string {
  const unique = [...new Set(names)];
  // null last reads better: "string or null".
  unique.sort((a, b) => Number(a === 'null') - Number(b === 'null'));
  if (unique.length <= 1) return unique[0] ?? 'any';
  return `${unique.slice(0, -1).join(', ')} or ${unique.at(-1)}`;
}

function typeText(schema: JsonSchema): string {
  return joinTypes(typeNames(schema, 0));
}

/** JavaScript's safe-integer bounds are what zod states for any integer: not a real constraint. */
function isMeaningfulBound(value: number | undefined): value is number {
  return value !== undefined && Math.abs(value) < Number.MAX_SAFE_INTEGER;
}

/** The non-null variants of a schema, where constraints live. */
function constrainedVariants(schema: JsonSchema): JsonSchema[] {
  if (schema.anyOf !== undefined) return schema.anyOf.flatMap(constrainedVariants);
  return schema.type === 'null' ? [] : [schema];
}

function constraintsText(schema: JsonSchema): string {
  const parts: string[] = [];
  for (const variant of constrainedVariants(schema)) {
    const min = isMeaningfulBound(variant.minimum) ? variant.minimum : undefined;
    const max = isMeaningfulBound(variant.maximum) ? variant.maximum : undefined;
    if (min !== undefined && max !== undefined) parts.push(`${min} to ${max}`);
    else if (min !== undefined) parts.push(`at least ${min}`);
    else if (max !== undefined) parts.push(`at most ${max}`);
    if (isMeaningfulBound(variant.exclusiveMinimum)) parts.push(`above ${variant.exclusiveMinimum}`);
    if (isMeaningfulBound(variant.exclusiveMaximum)) parts.push(`below ${variant.exclusiveMaximum}`);
    if (variant.minLength !== undefined && variant.maxLength !== undefined) {
      parts.push(`${variant.minLength} to ${variant.maxLength} characters`);
    } else if (variant.maxLength !== undefined) {
      parts.push(`up to ${variant.maxLength} characters`);
    } else if (variant.minLength !== undefined) {
      parts.push(`at least ${variant.minLength} characters`);
    }
    if (variant.minItems !== undefined && variant.maxItems !== undefined) {
      parts.push(`${variant.minItems} to ${variant.maxItems} items`);
    } else if (variant.maxItems !== undefined) {
      parts.push(`up to ${variant.maxItems} items`);
    } else if (variant.minItems !== undefined) {
      parts.push(`at least ${variant.minItems} items`);
    }
    if (variant.enum !== undefined) {
      parts.push(`one of ${variant.enum.map((value) => code(String(value))).join(', ')}`);
    }
    if (variant.format !== undefined) parts.push(`format ${variant.format}`);
    // An e-mail format already says what its long pattern says.
    if (variant.pattern !== undefined && variant.format === undefined) {
      parts.push(
        variant.pattern === MONEY_PATTERN ? 'two decimal places' : `pattern ${code(variant.pattern)}`,
      );
    }
  }
  if (schema.default !== undefined) parts.push(`default ${code(JSON.stringify(schema.default))}`);
  return parts.length === 0 ? '' : [...new Set(parts)].join('; ');
}

interface FieldRow {
  name: string;
  schema: JsonSchema;
  required: boolean;
}

/** Every input field, nested ones by path (`items[].amount`), in declaration order. */
function inputFields(schema: JsonSchema, prefix = ''): FieldRow[] {
  const rows: FieldRow[] = [];
  const required = new Set(schema.required ?? []);
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const path = `${prefix}${name}`;
    rows.push({ name: path, schema: property, required: required.has(name) });
    const element = property.type === 'array' ? property.items : undefined;
    if (property.type === 'object' && property.properties !== undefined) {
      rows.push(...inputFields(property, `${path}.`));
    } else if (element?.type === 'object' && element.properties !== undefined) {
      rows.push(...inputFields(element, `${path}[].`));
    }
  }
  return rows;
}

function outputFields(schema: JsonSchema): FieldRow[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name,
    schema: property,
    required: required.has(name),
  }));
}

/** A description may sit on the field or, for a nullable field, on its non-null variant. */
function descriptionOf(schema: JsonSchema): string {
  if (schema.description !== undefined) return schema.description;
  for (const variant of constrainedVariants(schema)) {
    if (variant.description !== undefined) return variant.description;
  }
  return '';
}

// ---------------------------------------------------------------------------------------------
// Tools reference: words for policy facts
// ---------------------------------------------------------------------------------------------

const TOOLSET_SUMMARIES: Record<Toolset, string> = {
  clients: 'Client profiles, contacts, users, stored pay methods (masked) and credit; client write façades.',
  billing: 'Invoices, transactions, quotes, currencies and payment methods; money-moving write façades.',
  orders: 'Products and orders; order write façades.',
  services: 'Services (hosting accounts and other products); module write façades.',
  domains: 'Domains, availability and TLD pricing; registrar write façades.',
  support: 'Tickets, departments and statuses; ticket write façades.',
  reports: 'Aggregators that fan out concurrently and report partial failures per section.',
  system:
    'WHMCS details, health, logs, the capability matrix, and the governed generic call (whmcs_list_actions, whmcs_describe_action, whmcs_call).',
  writes: 'The write-intent tools: draft, validate, approve, reject, execute, read, cancel and reconcile.',
};

const CLIENT_MODE_WORDS: Record<ClientModeRule, string> = {
  owned:
    "available in client mode, scoped: every entity is resolved to its owner first, and another client's id is answered as not found",
  public: 'available in client mode: it touches no client data',
  admin_only: 'not available in client mode (spans clients): not listed and refused by name',
};

const CLIENT_MODE_SHORT: Record<ClientModeRule, string> = {
  owned: 'scoped',
  public: 'public',
  admin_only: 'admin only',
};

const EFFECT_WORDS: Record<EffectTag, string> = {
  money: 'moves money',
  destructive: 'destructive',
  provisioning: 'provisions or changes a service at its server module',
  registrar_spend: 'spends money at a domain registrar',
  customer_email: 'can e-mail the customer',
  configuration_access: 'reaches WHMCS configuration',
};

interface PublishedMeta {
  'whmcs-mcp/toolset': Toolset;
  'whmcs-mcp/kind': 'read' | 'write';
  'whmcs-mcp/risk': string;
  'whmcs-mcp/client-mode': ClientModeRule;
}

function annotationsText(tool: AnyToolDefinition): string {
  const annotations = describeTool(tool).annotations ?? {};
  return [
    annotations.readOnlyHint === true ? 'read-only' : 'not read-only',
    annotations.destructiveHint === true ? 'destructive' : 'not destructive',
    annotations.idempotentHint === true ? 'idempotent' : 'not idempotent',
    annotations.openWorldHint === true ? 'open world' : 'closed world',
  ].join(', ');
}

/** Sorted, so reordering a tool's declaration does not change the reference. */
function actionsText(actions: readonly string[]): string {
  if (actions.length === 0) return 'none';
  return [...actions]
    .sort()
    .map((action) => (action === ANY_READ_ACTION ? 'any documented, unblocked read action' : code(action)))
    .join(', ');
}

function anchorOf(toolName: string): string {
  return toolName.toLowerCase().replace(/[^a-z0-9_-]/g, '');
}

function renderTool(tool: AnyToolDefinition): string[] {
  const published = describeTool(tool);
  const meta = published._meta as unknown as PublishedMeta;
  const facts: Array<[string, string]> = [
    ['Title', prose(published.title ?? tool.title)],
    ['Kind and risk', `${meta['whmcs-mcp/kind']}, ${meta['whmcs-mcp/risk']} risk`],
    ['Annotations', annotationsText(tool)],
    ['Role needed', requiredRoleOf(tool)],
    ['Client mode', CLIENT_MODE_WORDS[meta['whmcs-mcp/client-mode']]],
  ];
  if (tool.effects !== undefined && tool.effects.length > 0) {
    facts.push(['Effects', tool.effects.map((effect) => EFFECT_WORDS[effect]).join('; ')]);
  }
  facts.push(['WHMCS actions', actionsText(tool.whmcsActions)]);

  const lines = [`### ${code(published.name)}`, '', prose(published.description ?? ''), ''];
  lines.push(...table(['Property', 'Value'], facts));

  const inputs = inputFields(published.inputSchema as JsonSchema);
  lines.push('', '**Inputs**', '');
  if (inputs.length === 0) {
    lines.push('None.');
  } else {
    lines.push(
      ...table(
        ['Name', 'Type', 'Required', 'Constraints', 'Description'],
        inputs.map((field) => [
          code(field.name),
          typeText(field.schema),
          yesNo(field.required),
          constraintsText(field.schema),
          prose(descriptionOf(field.schema)),
        ]),
      ),
    );
  }

  const outputs = outputFields((published.outputSchema ?? {}) as JsonSchema);
  lines.push('', '**Output** (top-level fields of `structuredContent`)', '');
  if (outputs.length === 0) {
    lines.push('None.');
  } else {
    lines.push(
      ...table(
        ['Name', 'Type', 'Always present', 'Description'],
        outputs.map((field) => [
          code(field.name),
          typeText(field.schema),
          yesNo(field.required),
          prose(descriptionOf(field.schema)),
        ]),
      ),
    );
  }
  return lines;
}

function renderResources(resources: readonly ResourceDefinition[]): string[] {
  const lines = [
    '## Resources',
    '',
    'Read through the same policy, client scope and redaction as the tools. A template with `{id}`',
    'takes a positive whole number.',
    '',
  ];
  lines.push(
    ...table(
      ['URI', 'Name', 'Type', 'Toolset', 'Client mode', 'Description'],
      resources.map((resource) => [
        code(resource.uriTemplate),
        `${code(resource.name)} (${prose(resource.title)})`,
        resource.mimeType,
        resource.toolset,
        CLIENT_MODE_WORDS[resource.clientMode],
        prose(resource.description),
      ]),
    ),
  );
  return lines;
}

function renderPrompts(prompts: readonly PromptDefinition[]): string[] {
  const lines = [
    '## Prompts',
    '',
    'Prompts only produce a message for the model; every WHMCS access they lead to goes through the',
    'tools above, under the same policy. A prompt not available in client mode is not listed there.',
  ];
  for (const prompt of prompts) {
    lines.push(
      '',
      `### ${code(prompt.name)}`,
      '',
      `**${prose(prompt.title)}.** ${prose(prompt.description)}`,
      '',
    );
    lines.push(
      `Client mode: ${prompt.availableInClientMode ? 'available' : 'not available (admin only)'}.`,
      '',
    );
    if (prompt.arguments.length === 0) {
      lines.push('Arguments: none.');
      continue;
    }
    lines.push(
      ...table(
        ['Argument', 'Required', 'Description'],
        prompt.arguments.map((argument) => [
          code(argument.name),
          yesNo(argument.required),
          prose(argument.description),
        ]),
      ),
    );
  }
  return lines;
}

export function renderToolsReference(
  tools: readonly AnyToolDefinition[] = ALL_TOOLS,
  resources: readonly ResourceDefinition[] = ALL_RESOURCES,
  prompts: readonly PromptDefinition[] = ALL_PROMPTS,
): string {
  const unknownToolsets = tools.filter((tool) => !TOOLSETS.includes(tool.toolset));
  if (unknownToolsets.length > 0) {
    throw new Error(`Tools in unknown toolsets: ${unknownToolsets.map((tool) => tool.name).join(', ')}`);
  }
  const lines = [
    '# Tools, resources and prompts',
    '',
    `Generated from the tool, resource and prompt registries by \`${REGENERATE_COMMAND}\`; do not edit`,
    'by hand. Each entry shows what `tools/list` publishes (name, title, description, annotations,',
    'input and output schemas) plus the policy facts the server decides on.',
    '',
    'How to read it:',
    '',
    '- **Kind and risk**: reads never change WHMCS. Every write tool becomes a write intent that a',
    '  person approves before it runs (see [governance.md](governance.md)); risk decides how many',
    '  approvals it needs. Write tools are not listed in `read_only` mode.',
    '- **Role needed**: the role a principal must hold (`admin` holds every role; `operator` and',
    '  `approver` may also read).',
    '- **Client mode**: what happens when the server runs with `MCP_ACCESS_MODE=client` or the',
    '  caller is bound to clients.',
    '- **WHMCS actions**: what the tool may call; the API role of the WHMCS credential must allow',
    '  them (`get_capability_matrix` shows what it allows).',
    '- Types: a *decimal string* is an exact amount with two decimals (`"1234.50"`), never a float;',
    '  *untrusted text* is `{ untrusted: true, source, text }`, text written by customers or other',
    '  outsiders, to be read as data and never as instructions. Inputs refuse unknown fields.',
    '',
    '## Contents',
    '',
  ];
  const byToolset = TOOLSETS.map((toolset) => ({
    toolset,
    members: tools.filter((tool) => tool.toolset === toolset),
  })).filter((group) => group.members.length > 0);

  lines.push(
    ...table(
      ['Toolset', 'Tools', 'What it covers'],
      byToolset.map((group) => [
        `[${group.toolset}](#toolset-${group.toolset})`,
        String(group.members.length),
        TOOLSET_SUMMARIES[group.toolset],
      ]),
    ),
  );
  lines.push('', `${tools.length} tools, ${resources.length} resources, ${prompts.length} prompts.`, '');
  lines.push(
    ...table(
      ['Tool', 'Toolset', 'Kind', 'Risk', 'Client mode'],
      byToolset.flatMap((group) =>
        group.members.map((tool) => [
          `[${code(tool.name)}](#${anchorOf(tool.name)})`,
          tool.toolset,
          tool.kind,
          tool.risk,
          CLIENT_MODE_SHORT[tool.clientMode],
        ]),
      ),
    ),
  );

  for (const group of byToolset) {
    // GitHub derives the anchor #toolset-<name> from this heading.
    lines.push('', `## Toolset \`${group.toolset}\``, '');
    lines.push(TOOLSET_SUMMARIES[group.toolset]);
    for (const tool of group.members) lines.push('', ...renderTool(tool));
  }
  lines.push('', ...renderResources(resources), '', ...renderPrompts(prompts));
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

export interface GeneratedFile {
  /** Relative to the repository root. */
  path: string;
  current: string;
  expected: string;
}

/** What each generated file holds now and what the generator would write. */
export function generatedFiles(root: string = ROOT): GeneratedFile[] {
  const readme = readFileSync(resolve(root, README_PATH), 'utf8');
  let toolsDoc = '';
  try {
    toolsDoc = readFileSync(resolve(root, TOOLS_DOC_PATH), 'utf8');
  } catch {
    // A missing file is stale like any other difference.
  }
  return [
    { path: TOOLS_DOC_PATH, current: toolsDoc, expected: renderToolsReference() },
    { path: README_PATH, current: readme, expected: replaceMarkedSection(readme, renderConfigReference()) },
  ];
}

function main(argv: readonly string[]): number {
  const check = argv.includes('--check');
  const files = generatedFiles();
  const stale = files.filter((file) => file.current !== file.expected);
  if (check) {
    if (stale.length === 0) return 0;
    for (const file of stale) console.error(`${file.path} is out of date; run \`${REGENERATE_COMMAND}\`.`);
    return 1;
  }
  for (const file of stale) {
    writeFileSync(resolve(ROOT, file.path), file.expected);
    console.log(`wrote ${file.path}`);
  }
  if (stale.length === 0) console.log('docs are up to date');
  return 0;
}

const invokedPath = process.argv[1];
if (invokedPath !== undefined && import.meta.url === pathToFileURL(resolve(invokedPath)).href) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    console.error(`generate-docs: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
