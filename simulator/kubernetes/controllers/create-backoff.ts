/**
 * The back-off a controller's work queue puts between syncs of an object whose pod create the
 * apiserver refused (workqueue's per-item exponential rate limiter: 5 ms doubling to 1000 s;
 * here 10 ms doubling to 1 s), so a refused create is retried, and reported, a few times a
 * second at most rather than on every controller tick.
 */
const firstRetryMs = 10
const maxRetryMs = 1000

export class CreateBackoff {
  private readonly retries = new Map<string, { failures: number; notBefore: number }>()

  /** True while the object's next create must wait. */
  waiting(uid: string, now: number): boolean {
    const retry = this.retries.get(uid)
    return retry !== undefined && now < retry.notBefore
  }

  failed(uid: string, now: number): void {
    const failures = (this.retries.get(uid)?.failures ?? 0) + 1
    this.retries.set(uid, {
      failures,
      notBefore: now + Math.min(maxRetryMs, firstRetryMs * 2 ** (failures - 1))
    })
  }

  succeeded(uid: string): void {
    this.retries.delete(uid)
  }
}
