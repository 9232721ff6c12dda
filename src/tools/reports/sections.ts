/**
 * Aggregators fan out to WHMCS concurrently (the shared limiter queues the calls, so a fan-out
 * never outruns the rate limit) and report a section that failed in `partial_errors` instead of
 * failing the whole call: one broken action should not hide everything else an agent asked for.
 */
import { z } from 'zod';
import { ERROR_CODES, WhmcsMcpError, type ErrorCode } from '../../errors.js';
import type { ToolContext } from '../define.js';

/** Records a cross-client report reads at most. */
export const REPORT_SCAN_CAP = 10_000;
/** Records a per-client section reads at most (a client with more is rare and flagged). */
export const CLIENT_SECTION_CAP = 500;

export interface PartialError {
  section: string;
  code: ErrorCode;
  message: string;
}

export const partialErrorsOutput = z
  .array(
    z.object({
      section: z.string().describe('The part of the answer that is missing or incomplete.'),
      code: z.enum(ERROR_CODES),
      message: z.string(),
    }),
  )
  .describe(
    'Sections WHMCS could not deliver; everything else in the answer is complete. Empty when all worked.',
  );

type Loader = () => Promise<unknown>;
type SectionValues<Loaders extends Record<string, Loader>> = {
  [Name in keyof Loaders]: Awaited<ReturnType<Loaders[Name]>> | null;
};

/** Turns a section's failure into what the caller may read; unexpected errors stay in the log. */
export function partialErrorOf(ctx: ToolContext, section: string, error: unknown): PartialError {
  if (error instanceof WhmcsMcpError) {
    ctx.logger.warn({ section, code: error.code, detail: error.internal }, 'aggregator section failed');
    return { section, code: error.code, message: error.message };
  }
  ctx.logger.error({ section, err: error }, 'aggregator section failed unexpectedly');
  return { section, code: 'upstream_error', message: `The ${section} section failed unexpectedly.` };
}

/**
 * Runs every loader at once. A loader that fails leaves its section null and adds one entry to
 * `partialErrors`; only a cancelled call (the caller went away) rejects the whole fan-out.
 */
export async function loadSections<Loaders extends Record<string, Loader>>(
  ctx: ToolContext,
  loaders: Loaders,
): Promise<{ sections: SectionValues<Loaders>; partialErrors: PartialError[] }> {
  const names = Object.keys(loaders) as (keyof Loaders & string)[];
  const settled = await Promise.allSettled(names.map((name) => loaders[name]!()));
  if (ctx.signal.aborted) {
    const failed = settled.find((outcome) => outcome.status === 'rejected');
    throw failed?.reason instanceof WhmcsMcpError
      ? failed.reason
      : new WhmcsMcpError('timeout', 'The call was cancelled before WHMCS answered.');
  }
  const sections = {} as Record<string, unknown>;
  const partialErrors: PartialError[] = [];
  settled.forEach((outcome, index) => {
    const name = names[index]!;
    if (outcome.status === 'fulfilled') {
      sections[name] = outcome.value;
    } else {
      sections[name] = null;
      partialErrors.push(partialErrorOf(ctx, name, outcome.reason));
    }
  });
  return { sections: sections as SectionValues<Loaders>, partialErrors };
}
