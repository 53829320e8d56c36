import type { HttpCheck, ProbePolicy } from '../../../src/health/http-check.js'
import type { Logger } from '../../../src/runtime/logger.js'

export function httpCheck(url: string, overrides: Partial<HttpCheck> = {}): HttpCheck {
  return {
    name: 'app',
    url,
    method: 'GET',
    headers: {},
    secretHeaders: [],
    expect: { status: [{ from: 200, to: 299 }] },
    timeoutMs: 1000,
    tls: {},
    redirects: { follow: true, max: 5 },
    retryableStatuses: [],
    ...overrides
  }
}

/** Small values so a healthy run takes ~100 ms and a failing one ends within a second. */
export function quickPolicy(overrides: Partial<ProbePolicy> = {}): ProbePolicy {
  return {
    consecutiveSuccesses: 3,
    soakMs: 100,
    deadlineMs: 1000,
    backoff: { initialMs: 20, maxMs: 50, factor: 2 },
    ...overrides
  }
}

/**
 * Keeps every line exactly as written and ignores mask(): it proves the code never writes a
 * secret, rather than relying on the runner to hide it.
 */
export class UnmaskedLogger implements Logger {
  readonly lines: string[] = []
  debug(message: string): void {
    this.lines.push(`debug: ${message}`)
  }
  info(message: string): void {
    this.lines.push(`info: ${message}`)
  }
  notice(message: string): void {
    this.lines.push(`notice: ${message}`)
  }
  warning(message: string): void {
    this.lines.push(`warning: ${message}`)
  }
  error(message: string): void {
    this.lines.push(`error: ${message}`)
  }
  async group<T>(name: string, body: () => Promise<T>): Promise<T> {
    this.lines.push(`group: ${name}`)
    try {
      return await body()
    } finally {
      this.lines.push(`endgroup: ${name}`)
    }
  }
  mask(): void {}
  get text(): string {
    return this.lines.join('\n')
  }
}
