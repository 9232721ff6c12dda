/**
 * The shared rate limiter in front of WHMCS: it counts WHMCS calls (not tool calls), caps how many
 * are in flight, spaces launches by at least one interval on the real clock, and queues in arrival
 * order without ever dropping a call.
 *
 * Two backends keep the same contract. `local` (the default) decides in the caller's turn of the
 * event loop when there is room, and otherwise wakes the queue with a single timer. `bottleneck`
 * runs the same policy through Bottleneck, whose store is the route to sharing one limit between
 * replicas; its local store yields the event loop (setTimeout 0) at each step of a job, which
 * measured about 5 ms per call here, so a single process does not use it by default.
 */
import Bottleneck from 'bottleneck';

export type LimiterKind = 'local' | 'bottleneck';

export interface LimiterOptions {
  maxConcurrent: number;
  /** Launches per second; launches are at least 1000 / rate ms apart. */
  ratePerSecond: number;
}

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
  private readonly intervalMs: number;
  private readonly queue: Waiter[] = [];
  private running = 0;
  private lastLaunch = -Infinity;
  private wakeTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private idle: (() => void) | undefined;

  constructor(options: LimiterOptions) {
    this.maxConcurrent = options.maxConcurrent;
    this.intervalMs = 1000 / options.ratePerSecond;
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

  private launchWait(): number {
    return this.lastLaunch + this.intervalMs - performance.now();
  }

  private async run<T>(task: () => Promise<T>): Promise<T> {
    this.running += 1;
    this.lastLaunch = performance.now();
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
