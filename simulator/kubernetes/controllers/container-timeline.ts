/**
 * Where a container is in its life at a given moment, for each image behaviour. The state
 * is a pure function of (behaviour, start time, now), so recomputing it every tick gives the
 * same status (no spurious writes) and timestamps inside it are stable.
 *
 * Each step has a key; when a container enters a new step the kubelet emits that step's
 * events, worded as the real kubelet words them (pkg/kubelet/events, images, kuberuntime).
 */
import type { ContainerState } from '../kube-types.js'
import type { ImageBehaviour } from '../simulator-types.js'
import { formatTime } from '../time-format.js'

export interface ContainerEvent {
  type: 'Normal' | 'Warning'
  reason: string
  message: string
}

export interface ContainerMoment {
  /** Identifies the step; a change means new events. */
  key: string
  state: ContainerState
  lastState: ContainerState
  ready: boolean
  started: boolean
  restartCount: number
  /** A container exists (or existed) in the runtime: imageID and containerID are known. */
  created: boolean
  /** Which run of the container this is (for container IDs). */
  run: number
  /** For init containers: finished successfully, the next one may start. */
  completed: boolean
  /** When the container (if completed) finished, to start the next init container. */
  completedAt?: number
  events: ContainerEvent[]
}

export interface ContainerIdentity {
  name: string
  image: string
  podName: string
  namespace: string
  podUid: string
  pullPolicy: string
  /** Init containers (not sidecars) run to completion instead of staying up. */
  runsToCompletion: boolean
}

/** Delay before a failure shows for behaviours that take no delay option. */
export const failureDelayMs = 20
/** How long a crash-looping container runs before it exits. */
export const crashRunMs = 10
/** First restart back-off; doubles per restart up to crashBackoffCapMs (real: 10 s to 5 min). */
export const crashBackoffBaseMs = 40
export const crashBackoffCapMs = 640

const realBackoffs = ['10s', '20s', '40s', '1m20s', '2m40s', '5m0s']

function creating(): ContainerMoment {
  return {
    key: 'creating',
    state: { waiting: { reason: 'ContainerCreating' } },
    lastState: {},
    ready: false,
    started: false,
    restartCount: 0,
    created: false,
    run: 0,
    completed: false,
    events: []
  }
}

function startedEvents(c: ContainerIdentity): ContainerEvent[] {
  const pulled =
    c.pullPolicy === 'Always'
      ? `Successfully pulled image "${c.image}" in 12ms (12ms including waiting). Image size: 1024 bytes.`
      : `Container image "${c.image}" already present on machine`
  return [
    ...(c.pullPolicy === 'Always'
      ? [{ type: 'Normal' as const, reason: 'Pulling', message: `Pulling image "${c.image}"` }]
      : []),
    { type: 'Normal', reason: 'Pulled', message: pulled },
    { type: 'Normal', reason: 'Created', message: `Created container: ${c.name}` },
    { type: 'Normal', reason: 'Started', message: `Started container ${c.name}` }
  ]
}

function waiting(
  key: string,
  reason: string,
  message: string,
  events: ContainerEvent[],
  created = false
): ContainerMoment {
  return { ...creating(), key, state: { waiting: { reason, message } }, created, events }
}

export function containerAt(
  behaviour: ImageBehaviour,
  container: ContainerIdentity,
  startMs: number,
  nowMs: number
): ContainerMoment {
  const t = nowMs - startMs
  const podRef = `${container.podName}_${container.namespace}(${container.podUid})`
  switch (behaviour.kind) {
    case 'ready': {
      const delay = behaviour.delayMs ?? 20
      if (t < delay) return creating()
      const startedAt = formatTime(startMs + delay)
      if (container.runsToCompletion) {
        return {
          ...creating(),
          key: 'completed',
          state: {
            terminated: { exitCode: 0, reason: 'Completed', startedAt, finishedAt: startedAt }
          },
          created: true,
          completed: true,
          completedAt: startMs + delay,
          events: startedEvents(container)
        }
      }
      return {
        ...creating(),
        key: 'running',
        state: { running: { startedAt } },
        ready: true,
        started: true,
        created: true,
        events: startedEvents(container)
      }
    }
    case 'never-ready': {
      if (t < failureDelayMs) return creating()
      return {
        ...creating(),
        key: 'running',
        state: { running: { startedAt: formatTime(startMs + failureDelayMs) } },
        started: true,
        created: true,
        events: [
          ...startedEvents(container),
          {
            type: 'Warning',
            reason: 'Unhealthy',
            message: 'Readiness probe failed: HTTP probe failed with statuscode: 503'
          }
        ]
      }
    }
    case 'image-pull-backoff': {
      const after = behaviour.afterMs ?? failureDelayMs
      if (t < after) return creating()
      const pullError = `failed to pull and unpack image "${container.image}": failed to resolve reference "${container.image}": ${container.image}: not found`
      if (t < after + Math.max(after, failureDelayMs)) {
        return waiting('err-image-pull', 'ErrImagePull', `rpc error: code = NotFound desc = ${pullError}`, [
          { type: 'Normal', reason: 'Pulling', message: `Pulling image "${container.image}"` },
          {
            type: 'Warning',
            reason: 'Failed',
            message: `Failed to pull image "${container.image}": rpc error: code = NotFound desc = ${pullError}`
          },
          { type: 'Warning', reason: 'Failed', message: 'Error: ErrImagePull' }
        ])
      }
      return waiting(
        'image-pull-backoff',
        'ImagePullBackOff',
        `Back-off pulling image "${container.image}"`,
        [
          { type: 'Normal', reason: 'BackOff', message: `Back-off pulling image "${container.image}"` },
          { type: 'Warning', reason: 'Failed', message: 'Error: ImagePullBackOff' }
        ]
      )
    }
    case 'create-container-config-error': {
      if (t < failureDelayMs) return creating()
      const message = behaviour.message ?? 'configmap "app-config" not found'
      return waiting('config-error', 'CreateContainerConfigError', message, [
        { type: 'Warning', reason: 'Failed', message: `Error: ${message}` }
      ])
    }
    case 'invalid-image-name': {
      if (t < failureDelayMs) return creating()
      const message = `Failed to apply default image tag "${container.image}": couldn't parse image name "${container.image}": invalid reference format`
      return waiting('invalid-image-name', 'InvalidImageName', message, [
        { type: 'Warning', reason: 'InspectFailed', message },
        { type: 'Warning', reason: 'Failed', message: 'Error: InvalidImageName' }
      ])
    }
    case 'crash-loop': {
      const after = behaviour.afterMs ?? failureDelayMs
      if (t < after) return creating()
      // Walk the runs: run i starts at runStart, exits crashRunMs later, then backs off.
      let runStart = startMs + after
      for (let run = 0; ; run++) {
        const exitAt = runStart + crashRunMs
        const backoff = Math.min(crashBackoffBaseMs * 2 ** run, crashBackoffCapMs)
        if (nowMs < exitAt) {
          return {
            ...creating(),
            key: `running-${run}`,
            state: { running: { startedAt: formatTime(runStart) } },
            lastState: run === 0 ? {} : lastTerminated(startMs + after, run - 1),
            started: true,
            created: true,
            restartCount: run,
            run,
            events: startedEvents(container)
          }
        }
        if (nowMs < exitAt + backoff) {
          return {
            ...creating(),
            key: `backoff-${run}`,
            state: {
              waiting: {
                reason: 'CrashLoopBackOff',
                message: `back-off ${realBackoffs[Math.min(run, realBackoffs.length - 1)]} restarting failed container=${container.name} pod=${podRef}`
              }
            },
            lastState: lastTerminated(startMs + after, run),
            created: true,
            restartCount: run + 1,
            run,
            events: [
              {
                type: 'Warning',
                reason: 'BackOff',
                message: `Back-off restarting failed container ${container.name} in pod ${podRef}`
              }
            ]
          }
        }
        runStart = exitAt + backoff
      }
    }
  }
}

/** The terminated state of run `run` of a crash-looping container whose first run began at firstStart. */
function lastTerminated(firstStart: number, run: number): ContainerState {
  let runStart = firstStart
  for (let i = 0; i < run; i++)
    runStart += crashRunMs + Math.min(crashBackoffBaseMs * 2 ** i, crashBackoffCapMs)
  return {
    terminated: {
      exitCode: 1,
      reason: 'Error',
      startedAt: formatTime(runStart),
      finishedAt: formatTime(runStart + crashRunMs)
    }
  }
}
