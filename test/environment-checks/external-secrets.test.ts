import { describe, expect, it } from '@jest/globals'
import {
  assessExternalSecret,
  assessExternalSecrets,
  type ExternalSecret
} from '../../src/environment-checks/external-secrets.js'
import { parseGoDuration } from '../../src/environment-checks/go-duration.js'

const NOW = Date.parse('2025-06-01T12:00:00Z')
const minutesAgo = (m: number) => new Date(NOW - m * 60_000).toISOString()

/** The seed's ExternalSecret (v1beta1, refreshInterval 1h), synced 10 minutes ago. */
function synced(
  overrides: {
    spec?: ExternalSecret['spec']
    status?: Partial<NonNullable<ExternalSecret['status']>>
    generation?: number
    apiVersion?: string
  } = {}
): ExternalSecret {
  return {
    apiVersion: overrides.apiVersion ?? 'external-secrets.io/v1beta1',
    kind: 'ExternalSecret',
    metadata: { name: 'my-app-secrets', namespace: 'production', generation: overrides.generation ?? 2 },
    spec: { refreshInterval: '1h', target: { name: 'my-app-secrets' }, ...overrides.spec },
    status: {
      conditions: [{ type: 'Ready', status: 'True', reason: 'SecretSynced', message: 'Secret was synced' }],
      refreshTime: minutesAgo(10),
      syncedResourceVersion: '2-9f86d081884c7d659a2feaa0c55ad015',
      ...overrides.status
    }
  }
}

const problemsOf = (es: ExternalSecret, options: { cooldownMs?: number; graceMs?: number } = {}) =>
  assessExternalSecret(es, { now: NOW, ...options }).problems.map((p) => p.problem)

describe('assessExternalSecret', () => {
  it('passes a ready secret synced within its interval', () => {
    const verdict = assessExternalSecret(synced(), { now: NOW })
    expect(verdict).toMatchObject({
      name: 'my-app-secrets',
      namespace: 'production',
      target: 'my-app-secrets',
      ready: true,
      stale: false,
      recentlyRefreshed: false,
      refreshIntervalMs: 3_600_000,
      refreshTime: minutesAgo(10),
      problems: []
    })
  })

  it('reads external-secrets.io/v1 objects and Date timestamps the same way', () => {
    const es = synced({
      apiVersion: 'external-secrets.io/v1',
      status: { refreshTime: new Date(NOW - 600_000) }
    })
    expect(assessExternalSecret(es, { now: NOW }).problems).toEqual([])
  })

  it.each<[string, ExternalSecret, string[]]>([
    [
      'Ready False with SecretSyncedError',
      synced({
        status: {
          conditions: [
            {
              type: 'Ready',
              status: 'False',
              reason: 'SecretSyncedError',
              message: 'could not get secret data from provider'
            }
          ]
        }
      }),
      ['not-ready']
    ],
    [
      'Ready True with another reason',
      synced({ status: { conditions: [{ type: 'Ready', status: 'True', reason: 'SecretDeleted' }] } }),
      ['not-ready']
    ],
    ['no conditions yet', synced({ status: { conditions: [] } }), ['not-ready']],
    ['never synced', synced({ status: { refreshTime: null } }), ['never-synced']],
    ['a newer spec not synced yet', synced({ generation: 3 }), ['spec-not-synced']],
    ['synced longer ago than 1h plus grace', synced({ status: { refreshTime: minutesAgo(62) } }), ['stale']],
    [
      'a 15m interval missed',
      synced({ spec: { refreshInterval: '15m' }, status: { refreshTime: minutesAgo(20) } }),
      ['stale']
    ],
    ['a malformed interval', synced({ spec: { refreshInterval: 'hourly' } }), ['invalid-interval']]
  ])('reports %s', (_case, es, expected) => {
    expect(problemsOf(es)).toEqual(expected)
  })

  it.each<[string, ExternalSecret['spec']]>([
    ['refreshInterval 0 (fetch once)', { refreshInterval: '0' }],
    ['refreshInterval 0s', { refreshInterval: '0s' }],
    ['refreshPolicy CreatedOnce', { refreshInterval: '1h', refreshPolicy: 'CreatedOnce' }],
    ['refreshPolicy OnChange', { refreshInterval: '1h', refreshPolicy: 'OnChange' }]
  ])('never calls a secret stale with %s', (_case, spec) => {
    const verdict = assessExternalSecret(
      synced({ spec, status: { refreshTime: minutesAgo(60 * 24 * 30) } }),
      { now: NOW }
    )
    expect(verdict.stale).toBe(false)
    expect(verdict.refreshIntervalMs).toBeUndefined()
  })

  it('defaults a missing refreshInterval to 1h', () => {
    const es = synced({ status: { refreshTime: minutesAgo(90) } })
    delete es.spec!.refreshInterval
    expect(problemsOf(es)).toEqual(['stale'])
  })

  it('honours the grace beyond the interval', () => {
    const es = synced({ status: { refreshTime: minutesAgo(62) } })
    expect(problemsOf(es, { graceMs: 5 * 60_000 })).toEqual([])
  })

  it('flags a refresh within the cool-down, and not one before it', () => {
    expect(problemsOf(synced(), { cooldownMs: 30 * 60_000 })).toEqual(['recently-refreshed'])
    expect(
      problemsOf(synced({ status: { refreshTime: minutesAgo(45) } }), { cooldownMs: 30 * 60_000 })
    ).toEqual([])
  })

  it('assesses a list in order', () => {
    const names = assessExternalSecrets([synced(), synced({ status: { refreshTime: null } })], {
      now: NOW
    }).map((v) => v.problems.length)
    expect(names).toEqual([0, 1])
  })
})

describe('parseGoDuration', () => {
  it.each<[string, number | undefined]>([
    ['1h', 3_600_000],
    ['15m', 900_000],
    ['1h30m', 5_400_000],
    ['1h0m0s', 3_600_000],
    ['1.5h', 5_400_000],
    ['300ms', 300],
    ['1500us', 1.5],
    ['2µs', 0.002],
    ['0', 0],
    ['0s', 0],
    ['-5m', -300_000],
    ['', undefined],
    ['5', undefined],
    ['1d', undefined],
    ['h', undefined],
    ['1h 30m', undefined]
  ])('%j', (text, expected) => {
    expect(parseGoDuration(text)).toBe(expected)
  })
})
