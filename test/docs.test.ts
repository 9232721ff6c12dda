/**
 * The generated references must equal what the generator produces from the code now: a tool,
 * schema, variable or default that changes without `npm run docs` fails here, with the command
 * that fixes it.
 */
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../src/config/variables.js';
import { ALL_PROMPTS } from '../src/prompts/registry.js';
import { ALL_RESOURCES } from '../src/resources/registry.js';
import { describeTool } from '../src/server/mcp-server.js';
import { ALL_TOOLS } from '../src/tools/registry.js';
import {
  CONFIG_MARKERS,
  REGENERATE_COMMAND,
  extractMarkedSection,
  generatedFiles,
  renderConfigReference,
  renderToolsReference,
  replaceMarkedSection,
} from '../scripts/generate-docs.js';

const files = generatedFiles();

describe('generated docs are up to date', () => {
  for (const file of files) {
    it(`${file.path} matches the generator`, () => {
      expect(file.current, `${file.path} is out of date: run \`${REGENERATE_COMMAND}\``).toBe(file.expected);
    });
  }
});

/** The part of docs/tools.md about one tool: from its heading to the next heading of any tool. */
function toolSection(document: string, name: string): string {
  const start = document.indexOf(`\n### \`${name}\`\n`);
  expect(start, `no section for ${name}`).toBeGreaterThan(0);
  const next = document.slice(start + 1).search(/\n##+ /);
  return next < 0 ? document.slice(start) : document.slice(start, start + 1 + next);
}

describe('tools reference', () => {
  const document = renderToolsReference();

  it('has a section for every tool listing every input field and every output field', () => {
    for (const tool of ALL_TOOLS) {
      const section = toolSection(document, tool.name);
      const published = describeTool(tool);
      const inputs = Object.keys((published.inputSchema.properties ?? {}) as Record<string, unknown>);
      const outputs = Object.keys((published.outputSchema?.properties ?? {}) as Record<string, unknown>);
      for (const field of [...inputs, ...outputs]) {
        expect(section, `${tool.name}: ${field}`).toContain(`| \`${field}\` |`);
      }
      expect(section).toContain(`| Kind and risk | ${tool.kind}, ${tool.risk} risk |`);
    }
  });

  it('says in words whether each tool is available in client mode', () => {
    const expected = {
      owned: 'available in client mode, scoped',
      public: 'available in client mode: it touches no client data',
      admin_only: 'not available in client mode',
    } as const;
    for (const tool of ALL_TOOLS) {
      expect(toolSection(document, tool.name), tool.name).toContain(
        `| Client mode | ${expected[tool.clientMode]}`,
      );
    }
  });

  it('marks write tools that destroy or spend as destructive, the way tools/list does', () => {
    for (const tool of ALL_TOOLS) {
      const destructive = describeTool(tool).annotations?.destructiveHint === true;
      expect(toolSection(document, tool.name), tool.name).toContain(
        destructive ? ', destructive,' : ', not destructive,',
      );
    }
  });

  it('lists every resource and every prompt with its arguments', () => {
    for (const resource of ALL_RESOURCES) expect(document).toContain(`| \`${resource.uriTemplate}\` |`);
    for (const prompt of ALL_PROMPTS) {
      expect(document).toContain(`### \`${prompt.name}\``);
      for (const argument of prompt.arguments) expect(document).toContain(`| \`${argument.name}\` |`);
    }
  });

  it('leaves no raw angle bracket outside code spans, where Markdown would read an HTML tag', () => {
    const withoutCode = document
      .split('\n')
      .filter((line) => !line.startsWith('<!--'))
      .map((line) => line.replace(/``.*?``|`[^`]*`/g, ''))
      .join('\n');
    expect(withoutCode).not.toMatch(/<[A-Za-z/!]/);
  });
});

describe('configuration reference', () => {
  const section = renderConfigReference();

  it('has one row per variable, with its default, and secrets marked as such', () => {
    for (const variable of CONFIG_VARIABLES) {
      const rows = section.split('\n').filter((line) => line.startsWith(`| \`${variable.name}\` |`));
      expect(rows, variable.name).toHaveLength(1);
      const cells = rows[0]!.split(' | ');
      expect(cells[1], variable.name).toBe(
        variable.defaultText === undefined ? 'unset' : `\`${variable.defaultText}\``,
      );
      expect(cells[3], variable.name).toBe(variable.secret ? 'yes' : 'no');
    }
  });

  it('marks the WHMCS credential and every token as secret', () => {
    const secretNames = CONFIG_VARIABLES.filter((variable) => variable.secret).map(
      (variable) => variable.name,
    );
    expect(secretNames).toEqual(
      expect.arrayContaining(['WHMCS_IDENTIFIER', 'WHMCS_SECRET', 'WHMCS_ACCESS_KEY', 'MCP_AUTH_TOKEN']),
    );
    for (const name of secretNames)
      expect(section).toMatch(new RegExp(`^\\| \`${name}\` \\|.*\\| yes \\|`, 'm'));
  });
});

describe('README markers', () => {
  const readme = `# Title\n\nIntro.\n\n${CONFIG_MARKERS.start}\nold text\n${CONFIG_MARKERS.end}\n\nAfter.\n`;

  it('replaces only what sits between the markers', () => {
    const replaced = replaceMarkedSection(readme, 'new text\n');
    expect(replaced).toBe(
      `# Title\n\nIntro.\n\n${CONFIG_MARKERS.start}\nnew text\n\n${CONFIG_MARKERS.end}\n\nAfter.\n`,
    );
    expect(extractMarkedSection(replaced)).toBe('\nnew text\n\n');
  });

  it('refuses a document without both markers, or with one twice', () => {
    expect(() => replaceMarkedSection('# Title\n', 'x')).toThrow(/config-reference:start/);
    expect(() => replaceMarkedSection(`${CONFIG_MARKERS.end}\n${CONFIG_MARKERS.start}\n`, 'x')).toThrow();
    expect(() => replaceMarkedSection(`${readme}${CONFIG_MARKERS.start}\n`, 'x')).toThrow();
  });

  it('appear exactly once each in README.md', () => {
    const current = files.find((file) => file.path === 'README.md')!.current;
    expect(current.split(CONFIG_MARKERS.start)).toHaveLength(2);
    expect(current.split(CONFIG_MARKERS.end)).toHaveLength(2);
  });
});
