import type { z } from 'zod'
import type { httpCheck, probePolicy } from '../config/schema.js'
import type { Problem } from '../runtime/errors.js'
import type { HttpCheck, ProbePolicy, StatusExpectation } from './http-check.js'

type HttpCheckConfig = z.output<typeof httpCheck>
type ProbePolicyConfig = z.output<typeof probePolicy>

/** The promoted values `${...}` placeholders in expectations are replaced with. */
export interface PromotedValues {
  sha: string
  version?: string | undefined
  tag?: string | undefined
  digest?: string | undefined
}

/**
 * Turns config `health.http` entries into the prober's HttpCheck: placeholders filled
 * in, `from-env` header values read (and listed as secret), status classes expanded.
 * Problems (a from-env variable that is not set) are returned, not thrown, so they are
 * reported with every other configuration problem.
 */
export function httpChecksFromConfig(
  entries: readonly HttpCheckConfig[],
  values: PromotedValues,
  env: NodeJS.ProcessEnv,
  pathPrefix: string
): { checks: HttpCheck[]; problems: Problem[] } {
  const problems: Problem[] = []
  const fill = (text: string) =>
    text
      .replaceAll('${sha}', values.sha)
      .replaceAll('${short-sha}', values.sha.slice(0, 7))
      .replaceAll('${version}', values.version ?? values.tag ?? values.sha)
      .replaceAll('${tag}', values.tag ?? '')
      .replaceAll('${digest}', values.digest ?? '')
  const checks = entries.map((entry, index): HttpCheck => {
    const headers: Record<string, string> = {}
    const secretHeaders: string[] = []
    for (const [name, value] of Object.entries(entry.headers)) {
      if (typeof value === 'string') headers[name] = value
      else {
        const fromEnv = env[value['from-env']]
        if (fromEnv === undefined || fromEnv === '')
          problems.push({
            path: `${pathPrefix}[${index}].headers.${name}.from-env`,
            value: value['from-env'],
            expected:
              'the name of a set environment variable (pass the secret with env: in the workflow step)'
          })
        headers[name] = fromEnv ?? ''
        secretHeaders.push(name)
      }
    }
    const check: HttpCheck = {
      name: entry.name ?? new URL(entry.url).host + new URL(entry.url).pathname,
      url: entry.url,
      method: entry.method,
      headers,
      secretHeaders,
      expect: {
        status: entry.expect.status.map(toStatusExpectation),
        ...(entry.expect['body-contains'] !== undefined
          ? { bodyContains: fill(entry.expect['body-contains']) }
          : {}),
        ...(entry.expect['body-matches'] !== undefined ? { bodyMatches: entry.expect['body-matches'] } : {}),
        ...(entry.expect.json
          ? {
              json: entry.expect.json.map((j) => ({
                path: j.path,
                equals: typeof j.equals === 'string' ? fill(j.equals) : j.equals
              }))
            }
          : {})
      },
      timeoutMs: entry.timeout,
      tls: {
        ...(entry.tls['ca-file'] ? { caFile: entry.tls['ca-file'] } : {}),
        ...(entry.tls['ca-pem'] ? { caPem: entry.tls['ca-pem'] } : {})
      },
      redirects: entry.redirects,
      retryableStatuses: entry['retryable-statuses']
    }
    if (entry.body !== undefined) check.body = entry.body
    return check
  })
  return { checks, problems }
}

function toStatusExpectation(value: number | string): StatusExpectation {
  if (typeof value === 'number') return value
  const klass = /^([1-5])xx$/.exec(value)
  if (klass) return { from: Number(klass[1]) * 100, to: Number(klass[1]) * 100 + 99 }
  const [from, to] = value.split('-').map(Number)
  return { from: from!, to: to! }
}

export function probePolicyFromConfig(policy: ProbePolicyConfig): ProbePolicy {
  return {
    consecutiveSuccesses: policy['consecutive-successes'],
    soakMs: policy.soak,
    deadlineMs: policy.deadline,
    backoff: { initialMs: policy['initial-backoff'], maxMs: policy['max-backoff'], factor: 2 }
  }
}
