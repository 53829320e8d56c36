import { describe, expect, it } from '@jest/globals'
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node'
import {
  DEFAULT_FAIL_FAST,
  FailureTracker,
  describeFailure,
  detectPodFailures,
  type PodFailure
} from '../../../src/kubernetes/rollout/pod-failures.js'

function pod(name: string, status: V1Pod['status']): V1Pod {
  return { metadata: { name }, status }
}

function waitingContainer(
  name: string,
  reason: string,
  extra: Partial<V1ContainerStatus> = {}
): V1ContainerStatus {
  return {
    name,
    image: 'app:v2',
    imageID: '',
    ready: false,
    restartCount: 0,
    state: { waiting: { reason, message: `${reason} message` } },
    ...extra
  }
}

describe('detectPodFailures', () => {
  it.each([
    ['ErrImagePull', false],
    ['ImagePullBackOff', true],
    ['ErrImageNeverPull', true],
    ['InvalidImageName', true],
    ['ImageInspectError', true],
    ['RegistryUnavailable', false],
    ['CrashLoopBackOff', true],
    ['RunContainerError', false],
    ['CreateContainerConfigError', true],
    ['CreateContainerError', false],
    ['CreatePodSandboxError', false]
  ])('reports a container waiting with %s (definitive: %s)', (reason, definitive) => {
    const failures = detectPodFailures([
      pod('api-1', { containerStatuses: [waitingContainer('app', reason)] })
    ])
    expect(failures).toEqual([
      { pod: 'api-1', container: 'app', reason, message: `${reason} message`, definitive }
    ])
  })

  it('ignores ordinary waiting reasons', () => {
    expect(
      detectPodFailures([
        pod('api-1', {
          containerStatuses: [
            waitingContainer('app', 'ContainerCreating'),
            waitingContainer('b', 'PodInitializing')
          ]
        })
      ])
    ).toEqual([])
  })

  it('reports init containers as such', () => {
    const failures = detectPodFailures([
      pod('api-1', {
        initContainerStatuses: [waitingContainer('migrate', 'CrashLoopBackOff')],
        containerStatuses: [waitingContainer('app', 'PodInitializing')]
      })
    ])
    expect(failures).toEqual([
      expect.objectContaining({ container: 'migrate', initContainer: true, reason: 'CrashLoopBackOff' })
    ])
  })

  it('reports an unschedulable pod as transient', () => {
    const failures = detectPodFailures([
      pod('api-1', {
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message: '0/3 nodes are available: 3 Insufficient cpu.'
          }
        ]
      })
    ])
    expect(failures).toEqual([
      {
        pod: 'api-1',
        reason: 'Unschedulable',
        message: '0/3 nodes are available: 3 Insufficient cpu.',
        definitive: false
      }
    ])
  })

  it('reports the last termination, including OOMKilled', () => {
    const status = waitingContainer('app', 'CrashLoopBackOff', {
      restartCount: 4,
      lastState: { terminated: { reason: 'OOMKilled', exitCode: 137 } }
    })
    const [failure] = detectPodFailures([pod('api-1', { containerStatuses: [status] })])
    expect(failure).toMatchObject({ restartCount: 4, lastTerminated: { reason: 'OOMKilled', exitCode: 137 } })
    expect(describeFailure(failure!)).toBe(
      'pod api-1: container app: CrashLoopBackOff (CrashLoopBackOff message; last exit: OOMKilled, code 137; 4 restarts)'
    )
  })

  it.each([
    [2, 3, []],
    [3, 3, ['RestartThresholdExceeded']],
    [5, 0, []]
  ])('a running container with %d restarts against threshold %d gives %j', (restarts, threshold, reasons) => {
    const running: V1ContainerStatus = {
      name: 'app',
      image: 'app:v2',
      imageID: '',
      ready: true,
      restartCount: restarts,
      state: { running: {} },
      lastState: { terminated: { reason: 'Error', exitCode: 1 } }
    }
    expect(
      detectPodFailures([pod('api-1', { containerStatuses: [running] })], threshold).map((f) => f.reason)
    ).toEqual(reasons)
  })

  it('describes a restart-threshold failure with its exit', () => {
    const running: V1ContainerStatus = {
      name: 'app',
      image: 'app:v2',
      imageID: '',
      ready: true,
      restartCount: 3,
      state: { running: {} },
      lastState: { terminated: { reason: 'Error', exitCode: 2 } }
    }
    expect(describeFailure(detectPodFailures([pod('api-1', { containerStatuses: [running] })])[0]!)).toBe(
      'pod api-1: container app: RestartThresholdExceeded (restarted 3 times (threshold 3); last exit: Error, code 2)'
    )
  })
})

describe('FailureTracker', () => {
  const crash: PodFailure = { pod: 'api-1', container: 'app', reason: 'CrashLoopBackOff', definitive: true }
  const pull: PodFailure = { pod: 'api-2', container: 'app', reason: 'ErrImagePull', definitive: false }

  it('fails at once on one pod with a definitive reason', () => {
    const verdict = new FailureTracker().update([crash], 0)
    expect(verdict).toMatchObject({ failed: true, counting: [crash] })
    expect(verdict.message).toBe('1 new pod is failing: pod api-1: container app: CrashLoopBackOff')
  })

  it('waits for a transient reason to persist for the grace period', () => {
    const tracker = new FailureTracker({ ...DEFAULT_FAIL_FAST, transientGraceMs: 1000 })
    expect(tracker.update([pull], 0)).toMatchObject({ failed: false, recheckInMs: 1000 })
    expect(tracker.update([pull], 400)).toMatchObject({ failed: false, recheckInMs: 600 })
    expect(tracker.update([pull], 1000)).toMatchObject({ failed: true, counting: [pull] })
  })

  it('restarts the grace period when a transient reason clears and comes back', () => {
    const tracker = new FailureTracker({ ...DEFAULT_FAIL_FAST, transientGraceMs: 1000 })
    tracker.update([pull], 0)
    tracker.update([], 500)
    expect(tracker.update([pull], 1200)).toMatchObject({ failed: false, recheckInMs: 1000 })
  })

  it('needs podsFailing distinct pods', () => {
    const tracker = new FailureTracker({ ...DEFAULT_FAIL_FAST, podsFailing: 2 })
    expect(tracker.update([crash, { ...crash, container: 'sidecar' }], 0).failed).toBe(false)
    expect(tracker.update([crash, { ...crash, pod: 'api-3' }], 0)).toMatchObject({
      failed: true,
      message: expect.stringMatching(/^2 new pods are failing/)
    })
  })

  it('never fails when disabled, but still reports what it saw', () => {
    expect(new FailureTracker({ ...DEFAULT_FAIL_FAST, enabled: false }).update([crash], 0)).toMatchObject({
      failed: false,
      observed: [crash]
    })
  })
})
