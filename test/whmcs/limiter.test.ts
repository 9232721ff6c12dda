import { describe, expect, it } from 'vitest';
import { LIMITER_STOPPED, createLimiter, type LimiterKind } from '../../src/whmcs/limiter.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A task that records when it started and stays in flight for `ms`. */
function trackedTask(log: { started: number[]; inFlight: number; peak: number }, ms: number, value: number) {
  return async () => {
    log.started.push(performance.now());
    log.inFlight += 1;
    log.peak = Math.max(log.peak, log.inFlight);
    await sleep(ms);
    log.inFlight -= 1;
    return value;
  };
}

describe.each<LimiterKind>(['local', 'bottleneck'])('%s limiter', (kind) => {
  it('never has more tasks in flight than allowed, and runs every one', async () => {
    const limiter = createLimiter(kind, { maxConcurrent: 3, ratePerSecond: 1000 });
    const log = { started: [] as number[], inFlight: 0, peak: 0 };
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) => limiter.schedule(trackedTask(log, 10, index))),
    );
    expect(results).toEqual(Array.from({ length: 20 }, (_, index) => index));
    expect(log.peak).toBe(3);
  });

  it('spaces launches by at least the interval and keeps arrival order', async () => {
    const limiter = createLimiter(kind, { maxConcurrent: 10, ratePerSecond: 50 });
    const order: number[] = [];
    const started: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        limiter.schedule(async () => {
          order.push(index);
          started.push(performance.now());
        }),
      ),
    );
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const gaps = started.slice(1).map((time, index) => time - (started[index] as number));
    // 20 ms apart; timers may fire a fraction of a millisecond early on the monotonic clock.
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(19);
  });

  it('passes a task failure to its caller and keeps serving the queue', async () => {
    const limiter = createLimiter(kind, { maxConcurrent: 1, ratePerSecond: 1000 });
    const failing = limiter.schedule(() => Promise.reject(new Error('upstream broke')));
    const next = limiter.schedule(async () => 'served');
    await expect(failing).rejects.toThrow('upstream broke');
    await expect(next).resolves.toBe('served');
  });

  it('never runs a task whose caller gave up while it waited', async () => {
    const limiter = createLimiter(kind, { maxConcurrent: 1, ratePerSecond: 1000 });
    const log = { started: [] as number[], inFlight: 0, peak: 0 };
    const first = limiter.schedule(trackedTask(log, 30, 1));
    const controller = new AbortController();
    let ranCancelled = false;
    const cancelled = limiter.schedule(async () => {
      ranCancelled = true;
    }, controller.signal);
    controller.abort(new Error('caller left'));
    await expect(cancelled).rejects.toThrow('caller left');
    await first;
    await limiter.schedule(async () => undefined);
    expect(ranCancelled).toBe(false);
  });

  it('refuses a task whose signal is already aborted', async () => {
    const limiter = createLimiter(kind, { maxConcurrent: 1, ratePerSecond: 1000 });
    await expect(limiter.schedule(async () => 1, AbortSignal.abort(new Error('gone')))).rejects.toThrow(
      'gone',
    );
  });

  it('on stop, finishes what is queued and refuses what comes later', async () => {
    const limiter = createLimiter(kind, { maxConcurrent: 1, ratePerSecond: 1000 });
    const log = { started: [] as number[], inFlight: 0, peak: 0 };
    const queued = [limiter.schedule(trackedTask(log, 10, 1)), limiter.schedule(trackedTask(log, 10, 2))];
    await limiter.stop();
    expect(log.started).toHaveLength(2);
    await expect(Promise.all(queued)).resolves.toEqual([1, 2]);
    await expect(limiter.schedule(async () => 3)).rejects.toThrow(LIMITER_STOPPED);
  });

  it('reports what waits and what runs', async () => {
    const limiter = createLimiter(kind, { maxConcurrent: 1, ratePerSecond: 1000 });
    let release: () => void = () => undefined;
    const blocker = limiter.schedule(() => new Promise<void>((resolve) => (release = resolve)));
    const waiting = limiter.schedule(async () => undefined);
    // Bottleneck registers jobs a few event-loop turns later.
    await sleep(20);
    expect(limiter.counts()).toEqual({ queued: 1, running: 1 });
    release();
    await Promise.all([blocker, waiting]);
    expect(limiter.counts()).toEqual({ queued: 0, running: 0 });
  });
});

describe('createLimiter', () => {
  it('refuses limits that could never launch a task', () => {
    expect(() => createLimiter('local', { maxConcurrent: 0, ratePerSecond: 10 })).toThrow(RangeError);
    expect(() => createLimiter('local', { maxConcurrent: 1, ratePerSecond: 0 })).toThrow(RangeError);
  });
});
