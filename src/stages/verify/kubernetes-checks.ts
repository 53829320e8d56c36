import type { V1Deployment, V1Pod } from '@kubernetes/client-node'
import type { ResolvedEnvironment } from '../../config/schema.js'
import type { Clock } from '../../runtime/clock.js'
import type { ImageReference } from '../../image/image-reference.js'
import { labelSelectorString } from '../../kubernetes/api/label-selector.js'
import { listOwnedReplicaSets } from '../../kubernetes/kinds/replica-sets.js'
import type { NewPodMatcher } from '../../kubernetes/kinds/workload-adapter.js'
import { describeFailures } from '../../kubernetes/rollout/pod-failures.js'
import { failFastFromConfig } from '../../kubernetes/rollout/pod-failures.js'
import { waitForRollout } from '../../kubernetes/rollout/rollout-watcher.js'
import { imageMismatch } from '../../kubernetes/rollout/image-mismatch.js'
import { adapterFor, describeWorkload, newPodMatcher } from '../../kubernetes/kinds/workload-kinds.js'
import type { Logger } from '../../runtime/logger.js'
import type { ConnectedCluster } from '../../targets/connect-clusters.js'
import type { CheckOutcome } from './verify-report.js'
import { targetKey } from '../../targets/expand-target.js'
import type { VerifyTarget } from './verify-targets.js'

export interface KubernetesCheckOptions {
  environment: ResolvedEnvironment
  clusters: ConnectedCluster[]
  targets: VerifyTarget[]
  /** Targets that could not be resolved: each is a failed check. */
  targetProblems: Array<{ cluster: string; message: string }>
  /** The image every target must run; undefined = only the rollout is checked. */
  image: ImageReference | undefined
  /** How long a rollout may take to finish. */
  timeoutMs: number
  /** The window in which no new pod may restart, and in which a PDB gets to allow its disruptions. */
  soakMs: number
  logger: Logger
  clock: Clock
  signal?: AbortSignal
}

/**
 * The Kubernetes half of the verdict, per target and in parallel: rolled out (the shared
 * rollout watcher, kubectl's rules plus failing fast on new pods) on the promoted image; no pod
 * of the new revision restarting during the soak window; then each configured
 * PodDisruptionBudget allowing at least its disruptions.
 */
export async function checkKubernetes(options: KubernetesCheckOptions): Promise<CheckOutcome[]> {
  const settings = options.environment.health.kubernetes
  const unresolved = options.targetProblems.map((p): CheckOutcome =>
    outcome(`cluster ${p.cluster}: targets`, 'target', false, 0, p.message)
  )
  const perTarget = await Promise.all(options.targets.map((target) => checkTarget(target, options)))
  const pdbs = settings['pod-disruption-budgets'].length
    ? await Promise.all(options.clusters.map((cluster) => checkDisruptionBudgets(cluster, options)))
    : []
  return [...unresolved, ...perTarget.flat(), ...pdbs.flat()]
}

async function checkTarget(target: VerifyTarget, options: KubernetesCheckOptions): Promise<CheckOutcome[]> {
  const { clock, logger } = options
  const settings = options.environment.health.kubernetes
  const key = targetKey(target)
  const api = target.cluster.api
  const results: CheckOutcome[] = []

  if (settings.rollout) {
    const started = clock.now()
    const rollout = await waitForRollout(target.ref, {
      api,
      timeoutMs: options.timeoutMs,
      failFast: failFastFromConfig(options.environment.rollout['fail-fast']),
      logger,
      clock,
      ...(options.signal ? { signal: options.signal } : {})
    })
    let healthy = rollout.status === 'succeeded'
    let detail = rollout.message
    if (!healthy && rollout.failures.length) detail += `; ${describeFailures(rollout.failures)}`
    if (healthy && options.image) {
      const workload = await api.getWorkload(target.ref)
      const mismatch = imageMismatch(workload, options.image, target.containers, describeWorkload(target.ref))
      if (mismatch) {
        healthy = false
        detail = mismatch
      } else detail = `${detail} on ${options.image.format()}`
    }
    results.push(outcome(`${key} rollout`, 'rollout', healthy, clock.now() - started, detail))
    // Restarts of a revision that never rolled out say nothing more.
    if (!healthy) return results
  }
  if (settings['no-restarts']) results.push(await checkNoRestarts(target, options))
  return results
}

/**
 * Restart counts of the new revision's pods at the start and at the end of the soak window;
 * any increase (or a pod that appeared and already restarted) fails the check.
 */
async function checkNoRestarts(target: VerifyTarget, options: KubernetesCheckOptions): Promise<CheckOutcome> {
  const { clock } = options
  const key = targetKey(target)
  const started = clock.now()
  try {
    const before = await newPodRestarts(target)
    if (!before)
      return outcome(
        `${key} no restarts`,
        'no-restarts',
        true,
        0,
        'the new revision could not be told apart yet; not judged'
      )
    await clock.sleep(options.soakMs, options.signal)
    const after = await newPodRestarts(target)
    const restarted: string[] = []
    for (const [pod, info] of after?.pods ?? []) {
      const was = before.pods.get(pod)?.restarts ?? 0
      if (info.restarts > was)
        restarted.push(
          `pod ${pod} restarted ${info.restarts - was} time(s)${info.lastExit ? ` (last exit: ${info.lastExit})` : ''}`
        )
    }
    const window = `the ${options.soakMs} ms soak window`
    if (restarted.length)
      return outcome(
        `${key} no restarts`,
        'no-restarts',
        false,
        clock.now() - started,
        `${restarted.join('; ')} during ${window}`
      )
    return outcome(
      `${key} no restarts`,
      'no-restarts',
      true,
      clock.now() - started,
      `${after?.pods.size ?? 0} new pod(s), no restart during ${window}`
    )
  } catch (error) {
    if (options.signal?.aborted)
      return outcome(`${key} no restarts`, 'no-restarts', false, clock.now() - started, 'cancelled')
    return outcome(
      `${key} no restarts`,
      'no-restarts',
      false,
      clock.now() - started,
      `could not read pods: ${(error as Error).message}`
    )
  }
}

interface PodRestarts {
  restarts: number
  lastExit?: string
}

async function newPodRestarts(target: VerifyTarget): Promise<{ pods: Map<string, PodRestarts> } | undefined> {
  const api = target.cluster.api
  const workload = await api.getWorkload(target.ref)
  const selector = labelSelectorString(workload.spec?.selector)
  const replicaSets = adapterFor(target.ref.kind).ownsReplicaSets
    ? await listOwnedReplicaSets(api, target.ref.namespace, workload as V1Deployment)
    : []
  const isNew: NewPodMatcher | undefined = newPodMatcher(target.ref.kind, workload, replicaSets)
  if (!isNew) return undefined
  const { items } = await api.listPods(target.ref.namespace, { labelSelector: selector })
  return { pods: new Map(items.filter(isNew).map((pod) => [pod.metadata?.name ?? '', restartsOf(pod)])) }
}

function restartsOf(pod: V1Pod): PodRestarts {
  let restarts = 0
  let lastExit: string | undefined
  for (const status of [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? [])
  ]) {
    restarts += status.restartCount ?? 0
    const t = status.lastState?.terminated
    if (t)
      lastExit = `${status.name}: ${t.reason ?? 'terminated'}${t.exitCode !== undefined ? `, code ${t.exitCode}` : ''}`
  }
  return lastExit ? { restarts, lastExit } : { restarts }
}

/**
 * Each configured PDB must allow at least its `min-disruptions-allowed`. Its status lags the
 * rollout (the disruption controller recounts healthy pods), so it is re-read until it does
 * or the soak window has passed.
 */
async function checkDisruptionBudgets(
  cluster: ConnectedCluster,
  options: KubernetesCheckOptions
): Promise<CheckOutcome[]> {
  const { clock } = options
  const budgets = options.environment.health.kubernetes['pod-disruption-budgets']
  const namespace = cluster.namespace ?? options.targets.find((t) => t.cluster === cluster)?.ref.namespace
  const started = clock.now()
  const name = (pdb: string) => `${cluster.name}/${namespace ?? '?'}/poddisruptionbudget/${pdb}`
  if (!namespace)
    return budgets.map((b) =>
      outcome(name(b.name), 'pod-disruption-budget', false, 0, 'no namespace to look in')
    )
  const until = started + options.soakMs
  for (;;) {
    let verdicts: CheckOutcome[]
    try {
      const found = await cluster.api.listPodDisruptionBudgets(namespace)
      verdicts = budgets.map((budget) => {
        const pdb = found.find((p) => p.metadata?.name === budget.name)
        const min = budget['min-disruptions-allowed']
        if (!pdb)
          return outcome(
            name(budget.name),
            'pod-disruption-budget',
            false,
            clock.now() - started,
            `not found in namespace ${namespace}`
          )
        const allowed = pdb.status?.disruptionsAllowed ?? 0
        const counts = `${pdb.status?.currentHealthy ?? 0} healthy, ${pdb.status?.desiredHealthy ?? 0} desired`
        return outcome(
          name(budget.name),
          'pod-disruption-budget',
          allowed >= min,
          clock.now() - started,
          `allows ${allowed} disruption(s) (${counts}); at least ${min} expected`
        )
      })
    } catch (error) {
      verdicts = budgets.map((b) =>
        outcome(
          name(b.name),
          'pod-disruption-budget',
          false,
          clock.now() - started,
          `could not read: ${(error as Error).message}`
        )
      )
    }
    if (verdicts.every((v) => v.healthy) || clock.now() >= until || options.signal?.aborted) return verdicts
    await clock.sleep(Math.min(500, until - clock.now()), options.signal).catch(() => undefined)
  }
}

function outcome(
  name: string,
  type: CheckOutcome['type'],
  healthy: boolean,
  durationMs: number,
  detail: string
): CheckOutcome {
  return { name, type, healthy, attempts: null, p50Ms: null, p95Ms: null, durationMs, detail }
}
