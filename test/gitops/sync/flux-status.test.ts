import { describe, expect, it } from '@jest/globals'
import {
  evaluateFluxObject,
  type FluxCondition,
  type FluxObject
} from '../../../src/gitops/sync/flux-status.js'
import type { SyncExpectation } from '../../../src/gitops/sync/sync-verdict.js'

const OLD = '1'.repeat(40)
const COMMIT = 'c0ffee'.padEnd(40, 'a')
const expectation = (extra: Partial<SyncExpectation> = {}): SyncExpectation => ({
  commit: COMMIT,
  deliveredAt: Date.parse('2026-03-01T10:00:00Z'),
  known: (commit) => (commit === OLD ? false : undefined),
  ...extra
})

const ready = (status: string, reason: string, message = ''): FluxCondition => ({
  type: 'Ready',
  status,
  reason,
  message,
  observedGeneration: 3
})

function kustomization(status: NonNullable<FluxObject['status']>, generation = 3): FluxObject {
  return { kind: 'Kustomization', metadata: { name: 'apps', namespace: 'flux-system', generation }, status }
}

describe('Flux Kustomization and HelmRelease status against the promotion commit', () => {
  it('is healthy when Ready=True for the current generation at <branch>@sha1:<commit>', () => {
    const verdict = evaluateFluxObject(
      'Kustomization',
      kustomization({
        observedGeneration: 3,
        lastAppliedRevision: `main@sha1:${COMMIT}`,
        lastAttemptedRevision: `main@sha1:${COMMIT}`,
        conditions: [ready('True', 'ReconciliationSucceeded', `Applied revision: main@sha1:${COMMIT}`)]
      }),
      expectation()
    )
    expect(verdict).toEqual({
      state: 'healthy',
      message: `Ready at main@sha1:${COMMIT}`,
      revision: `main@sha1:${COMMIT}`
    })
  })

  it('waits while Ready=True is still about the revision before the merge', () => {
    const verdict = evaluateFluxObject(
      'Kustomization',
      kustomization({
        observedGeneration: 3,
        lastAppliedRevision: `main@sha1:${OLD}`,
        conditions: [ready('True', 'ReconciliationSucceeded')]
      }),
      expectation()
    )
    expect(verdict.state).toBe('waiting')
    expect(verdict.message).toContain(`waiting for it to fetch c0ffeea`)
  })

  it('does not trust Ready for a generation it has not observed', () => {
    const verdict = evaluateFluxObject(
      'Kustomization',
      kustomization(
        {
          observedGeneration: 3,
          lastAppliedRevision: `main@sha1:${COMMIT}`,
          conditions: [ready('True', 'ReconciliationSucceeded')]
        },
        4
      ),
      expectation()
    )
    expect(verdict.state).toBe('waiting')
  })

  it('fails on HealthCheckFailed once it attempted the commit, with Flux’s message', () => {
    const verdict = evaluateFluxObject(
      'Kustomization',
      kustomization({
        observedGeneration: 3,
        lastAppliedRevision: `main@sha1:${OLD}`,
        lastAttemptedRevision: `main@sha1:${COMMIT}`,
        conditions: [
          ready(
            'False',
            'HealthCheckFailed',
            'health check failed after 5m0s: Deployment/shop/api status: InProgress'
          )
        ]
      }),
      expectation()
    )
    expect(verdict).toMatchObject({
      state: 'failed',
      message: 'HealthCheckFailed: health check failed after 5m0s: Deployment/shop/api status: InProgress'
    })
  })

  it('waits on a failure reason that belongs to an older attempt', () => {
    const verdict = evaluateFluxObject(
      'Kustomization',
      kustomization({
        observedGeneration: 3,
        lastAttemptedRevision: `main@sha1:${OLD}`,
        conditions: [ready('False', 'BuildFailed', 'kustomize build failed')]
      }),
      expectation()
    )
    expect(verdict.state).toBe('waiting')
  })

  it('fails on Stalled and on a suspended object', () => {
    const stalled = evaluateFluxObject(
      'Kustomization',
      kustomization({
        observedGeneration: 3,
        conditions: [
          ready('False', 'InvalidPath'),
          { type: 'Stalled', status: 'True', reason: 'InvalidPath', message: 'path ./nope not found' }
        ]
      }),
      expectation()
    )
    expect(stalled).toMatchObject({
      state: 'failed',
      message: 'Stalled (InvalidPath): path ./nope not found'
    })
    const suspended = evaluateFluxObject(
      'Kustomization',
      { ...kustomization({ observedGeneration: 3 }), spec: { suspend: true } },
      expectation()
    )
    expect(suspended.state).toBe('failed')
    expect(suspended.message).toContain('suspended')
  })

  it('reads the commit of a HelmRelease chart built from Git (version+<12 hex>)', () => {
    const verdict = evaluateFluxObject(
      'HelmRelease',
      {
        metadata: { generation: 3 },
        status: {
          observedGeneration: 3,
          history: [{ chartVersion: `0.1.0+${COMMIT.slice(0, 12)}.3`, status: 'deployed' }],
          lastAttemptedRevision: `0.1.0+${COMMIT.slice(0, 12)}.3`,
          conditions: [ready('True', 'UpgradeSucceeded')]
        }
      },
      expectation()
    )
    expect(verdict.state).toBe('healthy')
  })

  it('judges a HelmRelease whose chart version names no commit by a generation newer than the start', () => {
    const release = (generation: number): FluxObject => ({
      metadata: { generation },
      status: {
        observedGeneration: generation,
        history: [{ chartVersion: '6.5.4', status: 'deployed', lastDeployed: '2026-03-01T09:00:00Z' }],
        conditions: [{ ...ready('True', 'UpgradeSucceeded'), observedGeneration: generation }]
      }
    })
    expect(evaluateFluxObject('HelmRelease', release(3), expectation({ startGeneration: 3 })).state).toBe(
      'waiting'
    )
    expect(evaluateFluxObject('HelmRelease', release(4), expectation({ startGeneration: 3 }))).toMatchObject({
      state: 'healthy',
      message: 'Ready for generation 4 (chart 6.5.4, which names no commit)'
    })
  })

  it('fails a HelmRelease whose upgrade failed for the new generation', () => {
    const verdict = evaluateFluxObject(
      'HelmRelease',
      {
        metadata: { generation: 4 },
        status: {
          observedGeneration: 4,
          history: [{ chartVersion: '6.5.4', status: 'failed', lastDeployed: '2026-03-01T10:00:05Z' }],
          conditions: [
            {
              ...ready('False', 'UpgradeFailed', 'Helm upgrade failed: timed out waiting for the condition'),
              observedGeneration: 4
            }
          ]
        }
      },
      expectation({ startGeneration: 3 })
    )
    expect(verdict).toMatchObject({
      state: 'failed',
      message: 'UpgradeFailed: Helm upgrade failed: timed out waiting for the condition'
    })
  })
})
