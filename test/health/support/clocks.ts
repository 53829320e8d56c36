import type { Clock } from '../../../src/runtime/clock.js'

/**
 * Real time plus whatever it has slept: sleeps return at once (after a macrotask, so real I/O
 * still progresses) and move now() forward, so a 300 s deadline passes in well under a second.
 */
export class FastForwardClock implements Clock {
  readonly sleeps: number[] = []
  private skipped = 0

  now(): number {
    return Date.now() + this.skipped
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted()
    this.sleeps.push(ms)
    this.skipped += Math.max(0, ms)
    await new Promise((resolve) => setImmediate(resolve))
    signal?.throwIfAborted()
  }
}
