/**
 * A resource is data too: a URI template, what it shows, its client-mode rule, the WHMCS actions
 * it reads, and a reader. Reads go through the same policy, scope and redaction as tool calls.
 */
import type { ClientModeRule } from '../policy/policy.js';
import type { Toolset } from '../policy/principal.js';
import type { ToolContext } from '../tools/define.js';

export interface ResourceDefinition {
  /** Stable name, e.g. 'client-summary'. */
  name: string;
  title: string;
  description: string;
  /** RFC 6570 level-1 template ('whmcs://clients/{id}/summary') or a fixed URI. */
  uriTemplate: string;
  mimeType: 'application/json' | 'text/markdown';
  toolset: Toolset;
  clientMode: ClientModeRule;
  whmcsActions: readonly string[];
  /** Variables are already matched and validated as positive integers where named `id`. */
  read(variables: Record<string, string>, ctx: ToolContext): Promise<string>;
  /** Suggestions for a template variable, when they are cheap to find. */
  complete?(variable: string, prefix: string, ctx: ToolContext): Promise<string[]>;
}

export function defineResource(definition: ResourceDefinition): ResourceDefinition {
  return definition;
}

/** Matches a URI against a template; returns the variables or undefined. */
export function matchTemplate(template: string, uri: string): Record<string, string> | undefined {
  const names: string[] = [];
  const pattern = template
    .split(/(\{[a-z_]+\})/)
    .map((part) => {
      const variable = /^\{([a-z_]+)\}$/.exec(part);
      if (variable) {
        names.push(variable[1]!);
        return '([^/?#]+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  const match = new RegExp(`^${pattern}$`).exec(uri);
  if (!match) return undefined;
  const variables: Record<string, string> = {};
  names.forEach((name, index) => {
    variables[name] = decodeURIComponent(match[index + 1]!);
  });
  return variables;
}
