/**
 * The shared rate limiter in front of WHMCS: it counts WHMCS calls (not tool calls), caps how many
 * are in flight, lets no more calls start in any one-second window than the rate allows, and
 * queues in arrival order without ever dropping a call.
 *
 * Two backends keep that contract. `local` (the default) keeps the start times of the last window
 * and decides in the caller's turn of the event loop when there is room, so an aggregator's
 * section reads leave together instead of one interval apart; otherwise a single timer wakes the
 * queue. `bottleneck` runs through Bottleneck, whose store is the route to sharing one limit
 * between replicas, and spaces every launch by the full interval; its local store yields the
 * event loop (setTimeout 0) at each step of a job, which measured about 5 ms per call here, so a
 * single process does not use it by default.
 */
import Bottleneck from 'bottleneck';

export type LimiterKind = 'local' | 'bottleneck';

export interface LimiterOptions {
  maxConcurrent: number;
  /** Launches per second, held over every one-second window (see launchWindow for fractions). */
  ratePerSecond: number;
}

/**
 * How the rate becomes a window: at most `launches` starts in any `windowMs`. A whole rate is
 * exactly that many per second; a fractional one keeps the whole part (at least one) as the burst
 * and stretches the window so the long-run rate is exact (2.5/s: 2 per 800 ms; 0.1/s: 1 per 10 s).
 */
export function launchWindow(ratePerSecond: number): { launches: number; windowMs: number } {
  const launches = Math.max(1, Math.floor(ratePerSecond));
  return { launches, windowMs: (1000 * launches) / ratePerSecond };
}

/**
 * A launch holds its place in the window this much longer than the window itself: requests reach
 * WHMCS a few milliseconds after they start, unevenly, and WHMCS counts arrivals, not starts.
 */
export const WINDOW_GUARD = 0.05;

export interface LimiterCounts {
  queued: number;
  running: number;
}

export interface WhmcsLimiter {
  /**
   * Runs the task when the limits allow. A task whose signal aborts while it waits leaves the queue
   * at once and rejects with the signal's reason; it never reaches WHMCS.
   */
  schedule<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  counts(): LimiterCounts;
  /** Refuses new tasks and resolves when the queued and running ones have finished. */
  stop(): Promise<void>;
}

/** The message a task scheduled after stop() rejects with; the client maps it to a typed error. */
export const LIMITER_STOPPED = 'The WHMCS rate limiter has been stopped.';

export function createLimiter(kind: LimiterKind, options: LimiterOptions): WhmcsLimiter {
  if (!(options.maxConcurrent >= 1) || !(options.ratePerSecond > 0)) {
    throw new RangeError('A limiter needs maxConcurrent >= 1 and a positive rate.');
  }
  return kind === 'bottleneck' ? new BottleneckLimiter(options) : new LocalLimiter(options);
}

interface Waiter {
  launch(): void;
  /** Detaches the abort listener once the waiter has left the queue. */
  settle(): void;
}

export class LocalLimiter implements WhmcsLimiter {
  private readonly maxConcurrent: number;
  private readonly windowMs: number;
  /** Start times of the last `launches` calls, oldest at `next`: a ring of the current window. */
  private readonly recentLaunches: number[];
  private next = 0;
  private readonly queue: Waiter[] = [];
  private running = 0;
  private wakeTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private idle: (() => void) | undefined;

  constructor(options: LimiterOptions) {
    this.maxConcurrent = options.maxConcurrent;
    const window = launchWindow(options.ratePerSecond);
    this.windowMs = window.windowMs * (1 + WINDOW_GUARD);
    this.recentLaunches = new Array<number>(window.launches).fill(-Infinity);
  }

  schedule<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.stopped) return Promise.reject(new Error(LIMITER_STOPPED));
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.queue.length === 0 && this.hasRoom() && this.launchWait() <= 0) {
      return this.run(task);
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        const index = this.queue.indexOf(waiter);
        if (index >= 0) this.queue.splice(index, 1);
        reject(signal?.reason);
        this.checkIdle();
      };
      const waiter: Waiter = {
        launch: () => void this.run(task).then(resolve, reject),
        settle: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
      this.pump();
    });
  }

  counts(): LimiterCounts {
    return { queued: this.queue.length, running: this.running };
  }

  stop(): Promise<void> {
    this.stopped = true;
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.idle = resolve;
    });
  }

  private hasRoom(): boolean {
    return this.running < this.maxConcurrent;
  }

  /** Milliseconds until the oldest launch of the window leaves it; zero or less means now. */
  private launchWait(): number {
    return (this.recentLaunches[this.next] as number) + this.windowMs - performance.now();
  }

  private async run<T>(task: () => Promise<T>): Promise<T> {
    this.running += 1;
    this.recentLaunches[this.next] = performance.now();
    this.next = (this.next + 1) % this.recentLaunches.length;
    try {
      return await task();
    } finally {
      this.running -= 1;
      this.pump();
      this.checkIdle();
    }
  }

  /** Launches queued tasks while there is room; one timer covers the wait for the next launch slot. */
  private pump(): void {
    while (this.queue.length > 0 && this.hasRoom()) {
      const wait = this.launchWait();
      if (wait > 0) {
        this.wakeTimer ??= setTimeout(() => {
          this.wakeTimer = undefined;
          this.pump();
        }, Math.ceil(wait));
        return;
      }
      const waiter = this.queue.shift() as Waiter;
      waiter.settle();
      waiter.launch();
    }
  }

  private checkIdle(): void {
    if (this.stopped && this.running === 0 && this.queue.length === 0) {
      this.idle?.();
      this.idle = undefined;
    }
  }
}

/**
 * Bottleneck behind the same contract. Its minTime alone catches up after a late launch (it let up
 * to 106 calls into one second at a limit of 100), so launches also pass a spacing gate on the real
 * clock, one at a time.
 */
export class BottleneckLimiter implements WhmcsLimiter {
  private readonly bottleneck: Bottleneck;
  private readonly intervalMs: number;
  private launchGate: Promise<void> = Promise.resolve();
  private lastLaunch = -Infinity;
  private stopped = false;

  constructor(options: LimiterOptions) {
    this.intervalMs = 1000 / options.ratePerSecond;
    this.bottleneck = new Bottleneck({
      maxConcurrent: options.maxConcurrent,
      minTime: Math.floor(this.intervalMs),
    });
  }

  schedule<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.stopped) return Promise.reject(new Error(LIMITER_STOPPED));
    if (signal?.aborted) return Promise.reject(signal.reason);
    return this.bottleneck.schedule(async () => {
      // Bottleneck cannot take a job out of its queue, so a cancelled job is dropped at launch.
      signal?.throwIfAborted();
      await this.spaceLaunch();
      return task();
    });
  }

  counts(): LimiterCounts {
    const counts = this.bottleneck.counts();
    return {
      queued: counts.RECEIVED + counts.QUEUED,
      running: counts.RUNNING + counts.EXECUTING,
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.bottleneck.stop({ dropWaitingJobs: false });
  }

  private spaceLaunch(): Promise<void> {
    const turn = this.launchGate.then(async () => {
      const wait = this.lastLaunch + this.intervalMs - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.ceil(wait)));
      this.lastLaunch = performance.now();
    });
    this.launchGate = turn;
    return turn;
  }
}
