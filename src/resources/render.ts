/**
 * Data resources leave the server as JSON shaped by a schema, like tool output: only declared
 * fields are written, so whatever else WHMCS sent (secrets included) cannot ride along.
 */
import type { z } from 'zod';
import { WhmcsMcpError } from '../errors.js';
import type { ToolContext } from '../tools/define.js';

export function renderJson<Schema extends z.ZodType>(
  ctx: ToolContext,
  uri: string,
  schema: Schema,
  value: z.input<Schema>,
): string {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    ctx.logger.error({ uri, issues: parsed.error.issues.slice(0, 10) }, 'resource does not match its schema');
    throw new WhmcsMcpError(
      'upstream_error',
      `${uri} received data from WHMCS that it could not shape into its documented form.`,
    );
  }
  return JSON.stringify(parsed.data, null, 2);
}

/** The `{id}` variable, already checked by the dispatcher to be a positive integer. */
export function idOf(variables: Record<string, string>): number {
  return Number(variables.id);
}
