/**
 * How a write façade is declared: typed, bounded inputs mapped to one WHMCS action's exact
 * parameters, then handed to the write-flow in one call (draft, validate, and execute only when
 * policy approved it already). The output is always the intent view, so a façade and
 * draft_write_intent describe the same change the same way.
 */
import { z } from 'zod';
import type { ClientModeRule } from '../../policy/policy.js';
import type { Toolset } from '../../policy/principal.js';
import { requireAction } from '../../whmcs/actions.js';
import { defineTool, type AnyToolDefinition, type ToolContext } from '../define.js';
import { intentViewSchema, projectIntent, summarizeIntent, type IntentViewOutput } from './intent-view.js';
import { writeCommon } from './inputs.js';

type FacadeShape<Fields extends z.ZodRawShape> = Fields & typeof writeCommon;
export type FacadeArgs<Fields extends z.ZodRawShape> = z.output<z.ZodObject<FacadeShape<Fields>>>;

export interface FieldProblem {
  /** The field at fault, or null when the arguments as a whole are (none of several given). */
  field: string | null;
  message: string;
}

export interface WriteFacadeSpec<Fields extends z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  toolset: Toolset;
  /** The one WHMCS write action the façade drafts. */
  action: string;
  clientMode: ClientModeRule;
  /** Read actions the façade uses to load and scope-check the entities it names. */
  reads: readonly string[];
  fields: Fields;
  /** Rules between fields (one of, at least one of); each problem names its field. */
  check?(args: FacadeArgs<Fields>): FieldProblem[];
  /** Loads what the write names (foreign ids answer as missing ones) and builds the exact parameters. */
  params(args: FacadeArgs<Fields>, ctx: ToolContext): Promise<Record<string, unknown>>;
}

/** Drops parameters left unset, so the digest and the approver see only what is sent. */
export function definedParams(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined));
}

/** Hands the parameters to the write-flow as the calling principal and returns the intent view. */
export async function submitWrite(
  ctx: ToolContext,
  tool: string,
  action: string,
  params: Record<string, unknown>,
  common: { reason: string; idempotency_key?: string | undefined },
): Promise<IntentViewOutput> {
  const view = await ctx.writes.submit({
    action,
    params: definedParams(params),
    reason: common.reason,
    idempotencyKey: common.idempotency_key,
    tool,
  });
  return projectIntent(view);
}

export function defineWriteFacade<Fields extends z.ZodRawShape>(
  spec: WriteFacadeSpec<Fields>,
): AnyToolDefinition {
  const action = requireAction(spec.action);
  const shape = { ...spec.fields, ...writeCommon } as FacadeShape<Fields>;
  const input = z.strictObject(shape).superRefine((args, issues) => {
    for (const problem of spec.check?.(args as FacadeArgs<Fields>) ?? []) {
      issues.addIssue({
        code: 'custom',
        path: problem.field === null ? [] : [problem.field],
        message: problem.message,
      });
    }
  });
  return defineTool({
    name: spec.name,
    title: spec.title,
    description: spec.description,
    toolset: spec.toolset,
    kind: 'write',
    risk: action.risk,
    effects: action.effects,
    clientMode: spec.clientMode,
    whmcsActions: [action.name, ...spec.reads],
    input,
    output: intentViewSchema,
    async handler(args, ctx) {
      const typed = args as FacadeArgs<Fields>;
      const common = args as { reason: string; idempotency_key?: string | undefined };
      const params = await spec.params(typed, ctx);
      return submitWrite(ctx, spec.name, action.name, params, common);
    },
    summarize: summarizeIntent,
  });
}
