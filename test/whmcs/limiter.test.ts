import { describe, expect, it } from 'vitest';
import { LIMITER_STOPPED, createLimiter, launchWindow, type LimiterKind } from '../../src/whmcs/limiter.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The most start times that fall within any window of `windowMs`. */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let busiest = 0;
  for (let start = 0, end = 0; start < sorted.length; start += 1) {
    while (end < sorted.length && (sorted[end] as number) - (sorted[start] as number) < windowMs) end += 1;
    busiest = Math.max(busiest, end - start);
  }
  return busiest;
}

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

  it('starts no more tasks in any one-second window than the rate, in arrival order', async () => {
    const rate = 50;
    const limiter = createLimiter(kind, { maxConcurrent: 100, ratePerSecond: rate });
    const order: number[] = [];
    const started: number[] = [];
    const began = performance.now();
    await Promise.all(
      Array.from({ length: 60 }, (_, index) =>
        limiter.schedule(async () => {
          order.push(index);
          started.push(performance.now());
        }),
      ),
    );
    expect(order).toEqual(Array.from({ length: 60 }, (_, index) => index));
    expect(busiestWindow(started, 1000)).toBeLessThanOrEqual(rate);
    // The 51st start has to wait for the first to leave its window.
    expect(performance.now() - began).toBeGreaterThanOrEqual(1000);
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

describe('local limiter bursts', () => {
  it('starts a burst within the rate at once instead of one interval apart', async () => {
    const limiter = createLimiter('local', { maxConcurrent: 8, ratePerSecond: 10 });
    const started: number[] = [];
    const began = performance.now();
    await Promise.all(
      Array.from({ length: 7 }, () => limiter.schedule(async () => void started.push(performance.now()))),
    );
    // Spaced by the interval, the seventh would start 600 ms after the first.
    expect(Math.max(...started) - began).toBeLessThan(100);
  });

  it('holds a fractional rate over its stretched window', () => {
    expect(launchWindow(10)).toEqual({ launches: 10, windowMs: 1000 });
    expect(launchWindow(2.5)).toEqual({ launches: 2, windowMs: 800 });
    expect(launchWindow(0.1)).toEqual({ launches: 1, windowMs: 10_000 });
  });
});

describe('createLimiter', () => {
  it('refuses limits that could never launch a task', () => {
    expect(() => createLimiter('local', { maxConcurrent: 0, ratePerSecond: 10 })).toThrow(RangeError);
    expect(() => createLimiter('local', { maxConcurrent: 1, ratePerSecond: 0 })).toThrow(RangeError);
  });
});
