import { setTimeout as delay } from 'node:timers/promises'

/**
 * Time as library code sees it. Anything that waits or measures elapsed time takes a Clock,
 * so tests can fast-forward through long waits instead of sleeping through them.
 */
export interface Clock {
  /** Milliseconds since the epoch (or any fixed origin: callers only subtract two readings). */
  now(): number
  /**
   * Resolves after `ms` milliseconds (at once when `ms` <= 0). Rejects with an AbortError
   * as soon as `signal` aborts, so a cancelled run does not sit out its remaining wait.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

export const systemClock: Clock = {
  now: () => Date.now(),
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted()
    if (ms <= 0) return
    await delay(ms, undefined, signal ? { signal } : undefined)
  }
}
