import { describe, expect, it } from '@jest/globals'
import { evaluateArgoApplication, type ArgoApplication } from '../../../src/gitops/sync/argocd-status.js'
import type { SyncExpectation } from '../../../src/gitops/sync/sync-verdict.js'

const OLD = '0'.repeat(39) + '1'
const COMMIT = 'c0ffee'.padEnd(40, 'a')
const LATER = 'beef'.padEnd(40, 'b')
const MERGED_AT = Date.parse('2026-03-01T10:00:00.500Z')

const expectation = (known: Record<string, boolean> = {}): SyncExpectation => ({
  commit: COMMIT,
  deliveredAt: MERGED_AT,
  known: (commit) => known[commit]
})

function app(status: NonNullable<ArgoApplication['status']>): ArgoApplication {
  return { metadata: { name: 'web', namespace: 'argocd' }, status }
}

const operation = (phase: string, revision: string | undefined, extra: object = {}) => ({
  phase,
  startedAt: '2026-03-01T10:00:03Z',
  ...(revision ? { operation: { sync: { revision } }, syncResult: { revision } } : {}),
  ...extra
})

describe('Argo CD Application status against the promotion commit', () => {
  it('waits while the Application is still Synced at the revision before the merge', () => {
    const verdict = evaluateArgoApplication(
      app({ sync: { status: 'Synced', revision: OLD }, health: { status: 'Healthy' } }),
      expectation({ [OLD]: false })
    )
    expect(verdict).toMatchObject({ state: 'waiting' })
    expect(verdict.message).toContain('Synced at 0000000, Healthy')
  })

  it('asks for the ancestry of a revision it does not know yet', () => {
    const verdict = evaluateArgoApplication(
      app({ sync: { status: 'Synced', revision: LATER }, health: { status: 'Healthy' } }),
      expectation()
    )
    expect(verdict).toEqual(expect.objectContaining({ state: 'waiting', lookups: [LATER] }))
  })

  it('is healthy at a later revision that contains the commit', () => {
    const verdict = evaluateArgoApplication(
      app({
        sync: { status: 'Synced', revision: LATER },
        health: { status: 'Healthy' },
        operationState: operation('Succeeded', LATER)
      }),
      expectation({ [LATER]: true })
    )
    expect(verdict).toEqual({ state: 'healthy', message: 'Synced at beefbbb and Healthy', revision: LATER })
  })

  it('waits while the sync operation for the commit runs, even when the health still says Degraded', () => {
    const verdict = evaluateArgoApplication(
      app({
        sync: { status: 'OutOfSync', revision: COMMIT },
        health: { status: 'Degraded', message: 'old pods crash' },
        operationState: operation('Running', COMMIT, { message: 'one or more tasks are running' })
      }),
      expectation()
    )
    expect(verdict.state).toBe('waiting')
    expect(verdict.message).toContain('sync operation Running: one or more tasks are running')
  })

  it('is applied, not yet healthy, when Synced at the commit and Progressing', () => {
    const verdict = evaluateArgoApplication(
      app({
        sync: { status: 'Synced', revision: COMMIT },
        health: { status: 'Progressing', message: 'Waiting for rollout to finish' },
        operationState: operation('Succeeded', COMMIT)
      }),
      expectation()
    )
    expect(verdict).toEqual({
      state: 'applied',
      message: 'Synced at c0ffeea, Progressing (Waiting for rollout to finish)',
      revision: COMMIT
    })
  })

  it('fails on a failed sync operation with its message and the resources that failed', () => {
    const verdict = evaluateArgoApplication(
      app({
        sync: { status: 'OutOfSync', revision: COMMIT },
        health: { status: 'Healthy' },
        operationState: operation('Failed', undefined, {
          message: 'one or more objects failed to apply',
          operation: { sync: { revision: COMMIT } },
          syncResult: {
            revision: COMMIT,
            resources: [
              {
                kind: 'Deployment',
                name: 'api',
                namespace: 'shop',
                status: 'SyncFailed',
                message: 'admission webhook denied'
              },
              { kind: 'Service', name: 'api', namespace: 'shop', status: 'Synced' },
              {
                kind: 'Job',
                name: 'migrate',
                namespace: 'shop',
                hookPhase: 'Failed',
                message: 'BackoffLimitExceeded'
              }
            ]
          }
        })
      }),
      expectation()
    )
    expect(verdict.state).toBe('failed')
    expect(verdict.message).toBe(
      'the sync operation failed: one or more objects failed to apply; Deployment shop/api: SyncFailed (admission webhook denied); Job shop/migrate: hook Failed (BackoffLimitExceeded)'
    )
  })

  it('ignores a failed operation that was about an older revision', () => {
    const verdict = evaluateArgoApplication(
      app({
        sync: { status: 'OutOfSync', revision: COMMIT },
        health: { status: 'Healthy' },
        operationState: operation('Failed', OLD, { message: 'old failure' })
      }),
      expectation({ [OLD]: false })
    )
    expect(verdict.state).toBe('waiting')
  })

  it('counts an operation that names no revision only when it started after the merge', () => {
    const started = (startedAt: string) =>
      evaluateArgoApplication(
        app({
          sync: { status: 'OutOfSync', revision: COMMIT },
          operationState: { phase: 'Error', message: 'rpc error', startedAt }
        }),
        expectation()
      ).state
    expect(started('2026-03-01T09:59:59Z')).toBe('waiting')
    // Argo CD writes whole seconds: the second of the merge counts.
    expect(started('2026-03-01T10:00:00Z')).toBe('failed')
  })

  it('fails on Degraded once the commit is applied, naming the Degraded resources', () => {
    const verdict = evaluateArgoApplication(
      app({
        sync: { status: 'Synced', revision: COMMIT },
        health: { status: 'Degraded', message: 'Deployment "api" exceeded its progress deadline' },
        operationState: operation('Succeeded', COMMIT),
        resources: [
          {
            kind: 'Deployment',
            name: 'api',
            namespace: 'shop',
            health: { status: 'Degraded', message: 'exceeded its progress deadline' }
          },
          { kind: 'Service', name: 'api', namespace: 'shop', health: { status: 'Healthy' } }
        ]
      }),
      expectation()
    )
    expect(verdict.state).toBe('failed')
    expect(verdict.message).toBe(
      'Degraded: Deployment "api" exceeded its progress deadline; Deployment shop/api: Degraded (exceeded its progress deadline)'
    )
  })

  it('fails on Missing after the sync, but waits on Missing before it', () => {
    const missing = (sync: string, revision: string) =>
      evaluateArgoApplication(
        app({ sync: { status: sync, revision }, health: { status: 'Missing' } }),
        expectation({ [OLD]: false })
      )
    expect(missing('OutOfSync', COMMIT).state).toBe('waiting')
    expect(missing('Synced', OLD).state).toBe('waiting')
    expect(missing('Synced', COMMIT)).toMatchObject({
      state: 'failed',
      message: 'Missing after the sync to c0ffeea'
    })
  })

  it('reads the revisions of a multi-source Application', () => {
    const verdict = evaluateArgoApplication(
      app({
        sync: { status: 'Synced', revisions: ['1.4.2', COMMIT] },
        health: { status: 'Healthy' },
        operationState: {
          phase: 'Succeeded',
          startedAt: '2026-03-01T10:00:03Z',
          syncResult: { revisions: ['1.4.2', COMMIT] }
        }
      }),
      expectation()
    )
    expect(verdict).toMatchObject({ state: 'healthy', revision: COMMIT })
  })

  it('accepts Synced at the commit with no operation for it: the live state already matched', () => {
    const verdict = evaluateArgoApplication(
      app({
        sync: { status: 'Synced', revision: COMMIT },
        health: { status: 'Healthy' },
        operationState: operation('Succeeded', OLD)
      }),
      expectation({ [OLD]: false })
    )
    expect(verdict.state).toBe('healthy')
  })

  it('shows a ComparisonError condition in the message it waits with', () => {
    const verdict = evaluateArgoApplication(
      app({
        sync: { status: 'Unknown' },
        health: { status: 'Healthy' },
        conditions: [{ type: 'ComparisonError', message: 'kustomize build failed: unknown field "imagez"' }]
      }),
      expectation()
    )
    expect(verdict.state).toBe('waiting')
    expect(verdict.message).toContain('ComparisonError: kustomize build failed: unknown field "imagez"')
  })
})
