/**
 * What one HTTP health check asks for, as the config layer resolves it. Plain interfaces so that
 * the prober does not depend on the config schema; the schema produces exactly these shapes.
 */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS'

export type StatusExpectation = number | { from: number; to: number }

export interface JsonExpectation {
  /** See `parseJsonPath` in json-path.ts: `version`, `build.sha`, `items[0].name`, `meta["app.io/v"]`. */
  path: string
  equals: string | number | boolean | null
}

export interface HttpCheck {
  name: string
  /** http or https */
  url: string
  method: HttpMethod
  /** Resolved values. */
  headers: Record<string, string>
  /** Names (case-insensitive) of headers whose values are secret: never logged nor put in results. */
  secretHeaders: string[]
  body?: string
  expect: {
    /** Empty means the default, 200-299. */
    status: StatusExpectation[]
    bodyContains?: string
    /** Regular expression source, matched without flags. */
    bodyMatches?: string
    json?: JsonExpectation[]
  }
  /** Per attempt, covering connect, TLS, headers, body and any redirects. */
  timeoutMs: number
  /** A custom CA bundle replaces the default roots (like curl --cacert). There is no insecure mode. */
  tls: { caFile?: string; caPem?: string }
  /** A redirect loop or more than `max` hops fails the attempt, without retry. */
  redirects: { follow: boolean; max: number }
  /** 4xx codes that are retried (e.g. 404 while an ingress warms up); other 4xx end the check at once. */
  retryableStatuses: number[]
}

export interface ProbePolicy {
  /** Passing probes in a row needed for healthy. */
  consecutiveSuccesses: number
  /** The passing probes must span this window: they are spaced soakMs / (consecutiveSuccesses - 1) apart. */
  soakMs: number
  /** Total time allowed for the check, from the first probe. */
  deadlineMs: number
  /** Wait after a failed probe: initialMs * factor^(failures in a row - 1), capped at maxMs, with jitter. */
  backoff: { initialMs: number; maxMs: number; factor: number }
}

export const defaultExpectedStatus: StatusExpectation[] = [{ from: 200, to: 299 }]

export const defaultProbePolicy: ProbePolicy = {
  consecutiveSuccesses: 3,
  soakMs: 10_000,
  deadlineMs: 300_000,
  // The 1 s cap bounds how long a recovered endpoint goes unnoticed.
  backoff: { initialMs: 250, maxMs: 1_000, factor: 2 }
}
