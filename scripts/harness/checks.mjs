// A check is data: an id, its layer, the kind of failure it reports, a one-line expectation, and
// a run function returning pass, fail or skip. The runner times each one and never lets one
// check's exception stop the others.

/**
 * Failure kinds, so a report reader knows what broke without reading the message:
 * unavailable (cannot reach or start the server), auth, contract (schema or protocol), data
 * (reads disagree with each other), filter, pagination, isolation (client scope), validation,
 * hygiene (what leaves the server), write-flow (the governed write path).
 */
export const FAILURE_KINDS = [
  'unavailable',
  'auth',
  'contract',
  'data',
  'filter',
  'pagination',
  'isolation',
  'validation',
  'hygiene',
  'write-flow',
];

export function defineCheck(check) {
  for (const field of ['id', 'layer', 'kind', 'expect']) {
    if (typeof check[field] !== 'string' || check[field] === '') throw new Error(`check without ${field}`);
  }
  if (!FAILURE_KINDS.includes(check.kind)) throw new Error(`check ${check.id}: unknown kind ${check.kind}`);
  if (!check.id.startsWith(`${check.layer}.`))
    throw new Error(`check ${check.id} is not named after its layer`);
  return Object.freeze(check);
}

export const pass = (message, details) => ({ status: 'pass', message, details });
export const fail = (message, details) => ({ status: 'fail', message, details });
export const skip = (message, details) => ({ status: 'skip', message, details });

/** Turns a list of problems into a verdict: pass with `okMessage`, or fail naming the first few. */
export function verdict(problems, okMessage, details) {
  if (problems.length === 0) return pass(okMessage, details);
  const shown = problems.slice(0, 3).join('; ');
  const more = problems.length > 3 ? ` (+${problems.length - 3} more)` : '';
  return fail(`${shown}${more}`, { ...details, problems });
}

/** A call outcome in a few words, for messages: "ok", "not_found: Invoice 9 was not found.", ... */
export function describeOutcome(outcome) {
  if (outcome.protocolError)
    return `protocol error ${outcome.protocolError.code}: ${outcome.protocolError.message}`;
  if (outcome.isError)
    return `${outcome.error?.code ?? 'error without a code'}: ${outcome.error?.message ?? ''}`;
  if (outcome.schemaProblem) return outcome.schemaProblem;
  return 'ok';
}

export async function runCheck(check, ctx) {
  const started = performance.now();
  let result;
  try {
    result = await check.run(ctx);
    if (!result || !['pass', 'fail', 'skip'].includes(result.status)) {
      result = fail('the check returned no verdict');
    }
  } catch (error) {
    result = fail(`the check stopped: ${error instanceof Error ? error.message : String(error)}`);
  }
  return {
    id: check.id,
    layer: check.layer,
    kind: check.kind,
    expect: check.expect,
    status: result.status,
    duration_ms: Math.round(performance.now() - started),
    message: String(result.message ?? '')
      .replace(/\s+/g, ' ')
      .trim(),
    ...(result.details === undefined ? {} : { details: result.details }),
  };
}
