import type { Clock } from '../../src/runtime/clock.js'

/**
 * The one test clock: sleeps return at once (after a macrotask, so real I/O still progresses)
 * and move now() forward by what they slept, so a 60 s lease or a 300 s deadline passes in
 * milliseconds. Time moves only for a sleep that completes: one aborted meanwhile (a renewal
 * loop stopped, a cancelled wait) moves nothing and rejects.
 *
 * - `now`: a fixed start (time then moves only by sleeps), else real time;
 * - `offsetMs`: a skew against real time (a runner whose clock is behind);
 * - `onSleep(index)`: runs as each sleep begins (a test aborts or changes the world from here).
 */
export class FastForwardClock implements Clock {
  readonly sleeps: number[] = []
  private skipped = 0
  private readonly start: number | undefined
  private readonly offsetMs: number
  onSleep: (index: number) => void

  constructor(options: { now?: number; offsetMs?: number; onSleep?: (index: number) => void } = {}) {
    this.start = options.now
    this.offsetMs = options.offsetMs ?? 0
    this.onSleep = options.onSleep ?? (() => undefined)
  }

  now(): number {
    return (this.start ?? Date.now()) + this.offsetMs + this.skipped
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted()
    this.onSleep(this.sleeps.length)
    this.sleeps.push(ms)
    await new Promise((resolve) => setImmediate(resolve))
    signal?.throwIfAborted()
    this.skipped += Math.max(0, ms)
  }
}
