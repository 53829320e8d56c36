import type { V1Deployment, V1PodTemplateSpec, V1ReplicaSet } from '@kubernetes/client-node'
import { REVISION_ANNOTATION } from '../api/annotations.js'
import type { JsonPatchOperation, WorkloadApi } from '../api/kubernetes-api.js'
import { describeWorkload } from '../api/workload-types.js'
import { baseRecord, generationObserved, imagesOf, restoreImages, waiting } from './pod-template.js'
import {
  controllerUid,
  findNewReplicaSet,
  listOwnedReplicaSets,
  POD_TEMPLATE_HASH_LABEL,
  revisionOf
} from './replica-sets.js'
import {
  RollbackError,
  type RevisionRecord,
  type RollbackOptions,
  type RollbackResult,
  type RolloutStatus,
  type WorkloadAdapter
} from './workload-adapter.js'
import { resolveIntOrPercent, type RolloutLimits } from './rollout-limits.js'

const TIMED_OUT_REASON = 'ProgressDeadlineExceeded'

/** Deployment annotations kubectl keeps from the Deployment itself rather than the ReplicaSet. */
const DEPLOYMENT_OWN_ANNOTATIONS = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to'
])

/**
 * Deployments: rollout status as kubectl; new pods are those of the newest ReplicaSet; the
 * record names the ReplicaSet at the current revision; rollback is `kubectl rollout undo
 * --to-revision` of exactly that ReplicaSet.
 */
export const deploymentAdapter: WorkloadAdapter<V1Deployment> = {
  kind: 'Deployment',
  aliases: ['deployment', 'deployments', 'deploy'],
  ownsReplicaSets: true,
  replicas: (deployment) => deployment.spec?.replicas ?? 1,
  rolloutLimits: deploymentLimits,
  rolloutStatus: deploymentRolloutStatus,

  /**
   * The new ReplicaSet is the one controlled by the Deployment with the highest
   * `deployment.kubernetes.io/revision`, read only once the controller has observed the current
   * generation (it creates or re-adopts the new RS and bumps it to max+1 before it updates
   * status.observedGeneration) and only when that revision is the Deployment's own. New pods are
   * controlled by that RS and carry its pod-template-hash. Comparing templates (what the
   * controller does) is avoided on purpose: watch events are raw JSON while listed objects may be
   * client-node models, and the two serialise differently.
   */
  newPodMatcher(deployment, replicaSets) {
    const rs = currentNewReplicaSet(deployment, replicaSets)
    const hash = rs?.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL]
    const uid = rs?.metadata?.uid
    if (!rs || !hash || !uid) return undefined
    return (pod) =>
      controllerUid(pod.metadata) === uid && pod.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL] === hash
  },

  createFailuresFromEvents: false,

  /**
   * The new ReplicaSet's ReplicaFailure condition (reason FailedCreate, the API server's
   * refusal as message), which the ReplicaSet controller sets when a create fails and removes
   * after a sync that needed none. The Deployment mirrors the first failing ReplicaSet's
   * condition, but that may be an old one's: only the new one's is this rollout's.
   */
  createFailures(deployment, { replicaSets }) {
    const rs = currentNewReplicaSet(deployment, replicaSets)
    const failure = rs?.status?.conditions?.find(
      (c) => c.type === 'ReplicaFailure' && c.status === 'True' && c.reason === 'FailedCreate'
    )
    if (!rs || !failure) return []
    return [{ kind: 'ReplicaSet', name: rs.metadata?.name ?? '', message: failure.message ?? '' }]
  },

  /** The Deployment's revision (its current ReplicaSet's) and that ReplicaSet's name (stable even if renumbered). */
  async record(deployment, { target, api, now, ownedReplicaSets }) {
    const record = baseRecord(target, deployment, now)
    const revision = deployment.metadata?.annotations?.[REVISION_ANNOTATION]
    if (!revision) return record
    record.revision = revision
    const sets = ownedReplicaSets
      ? await ownedReplicaSets(deployment)
      : await listOwnedReplicaSets(api, target.namespace, deployment)
    const current = sets.find((rs) => rs.metadata?.annotations?.[REVISION_ANNOTATION] === revision)
    if (current?.metadata?.name) record.replicaSet = current.metadata.name
    return record
  },

  revisionAfter: (deployment) => deployment.metadata?.annotations?.[REVISION_ANNOTATION],

  /**
   * The newest older ReplicaSet whose template runs exactly the recorded images: with it named,
   * the rollback restores that whole template (as `kubectl rollout undo --to-revision`), not just
   * the images.
   */
  async locateRecordedRevision(record, deployment, api) {
    const sets = await listOwnedReplicaSets(api, record.target.namespace, deployment)
    const current = revisionOf(deployment)
    const wanted = [
      ...Object.entries(record.images.containers),
      ...Object.entries(record.images.initContainers)
    ]
    const matching = sets
      .filter((rs) => revisionOf(rs) !== current)
      .filter((rs) => {
        const images = imagesOf(rs.spec?.template?.spec)
        return wanted.every(
          ([name, image]) => images.containers[name] === image || images.initContainers[name] === image
        )
      })
      .sort((a, b) => revisionOf(b) - revisionOf(a))
    const found = matching[0]
    if (found?.metadata?.name) {
      record.replicaSet = found.metadata.name
      record.revision = String(revisionOf(found))
    }
  },

  rollback: rollBackDeployment
}

/**
 * The new ReplicaSet once it is known to be this generation's: the controller has observed the
 * Deployment's current generation (it creates or re-adopts the new RS and bumps it to max+1
 * before it updates status.observedGeneration) and the newest revision seen is the Deployment's
 * own (a ReplicaSet stream behind the Deployment's does not know the new one yet).
 */
function currentNewReplicaSet(
  deployment: V1Deployment,
  replicaSets: V1ReplicaSet[]
): V1ReplicaSet | undefined {
  if (!generationObserved(deployment)) return undefined
  const rs = findNewReplicaSet(deployment, replicaSets)
  if (!rs) return undefined
  const revision = revisionOf(deployment)
  return revision > 0 && revisionOf(rs) !== revision ? undefined : rs
}

/**
 * As `kubectl rollout undo --to-revision=N` (polymorphichelpers/rollback.go): find the ReplicaSet
 * the Deployment controls with the recorded name or revision (or the revision in its
 * revision-history), skip if its template already equals the Deployment's (ignoring
 * pod-template-hash), else JSON-patch `/spec/template` (hash label removed) and
 * `/metadata/annotations` (the ReplicaSet's, plus the Deployment's own bookkeeping keys). Paused
 * Deployments are refused, as kubectl does. If that ReplicaSet is gone (garbage-collected past
 * revisionHistoryLimit), the recorded images are patched back instead.
 */
async function rollBackDeployment(
  api: WorkloadApi,
  record: RevisionRecord,
  deployment: V1Deployment,
  options: RollbackOptions
): Promise<RollbackResult> {
  const target = record.target
  const label = describeWorkload(target)
  if (deployment.spec?.paused) {
    throw new RollbackError(
      `you cannot roll back a paused deployment; resume ${label} first (kubectl rollout resume ${label} -n ${target.namespace})`
    )
  }
  const sets = await listOwnedReplicaSets(api, target.namespace, deployment)
  const recorded = findRecordedReplicaSet(sets, record)
  if (!recorded) {
    return restoreImages(
      api,
      record,
      deployment,
      options,
      `${label}: revision ${record.revision ?? '(unknown)'} is gone (old ReplicaSets beyond revisionHistoryLimit are garbage-collected); restored the recorded images instead`
    )
  }

  const revision = recorded.metadata?.annotations?.[REVISION_ANNOTATION] ?? record.revision
  const template = withoutHashLabel(recorded.spec?.template ?? {})
  if (sameTemplate(template, withoutHashLabel(deployment.spec?.template ?? {}))) {
    return {
      method: 'unchanged',
      message: `${label}: skipped rollback (current template already matches revision ${revision})`,
      workload: deployment
    }
  }
  const operations: JsonPatchOperation[] = [
    { op: 'replace', path: '/spec/template', value: template },
    // `add` replaces an existing member and, unlike `replace`, also works when there is none.
    { op: 'add', path: '/metadata/annotations', value: rollbackAnnotations(deployment, recorded) }
  ]
  // The recorded template and annotations: the same result however often it is sent.
  const patched = await api.jsonPatchWorkload({ ...target, kind: 'Deployment' }, operations, {
    repeatable: true,
    ...(options.dryRun ? { dryRun: true } : {})
  })
  return {
    method: 'replica-set',
    message: `${label}: rolled back to revision ${revision} (ReplicaSet ${recorded.metadata?.name})`,
    workload: patched
  }
}

/** kubectl's verdict for a Deployment (rollout_status.go, DeploymentStatusViewer). */
export function deploymentRolloutStatus(deployment: V1Deployment, revision?: number): RolloutStatus {
  const name = deployment.metadata?.name ?? ''
  if (revision !== undefined && revision > 0) {
    const text = deployment.metadata?.annotations?.[REVISION_ANNOTATION]
    const current = text === undefined ? NaN : Number(text)
    if (text === undefined || !Number.isInteger(current)) {
      return {
        done: false,
        failed: true,
        message: `cannot get the revision of deployment "${name}": invalid or missing ${REVISION_ANNOTATION} annotation`
      }
    }
    if (revision !== current) {
      return {
        done: false,
        failed: true,
        message: `desired revision (${revision}) is different from the running revision (${current})`
      }
    }
  }
  const status = deployment.status ?? {}
  if ((deployment.metadata?.generation ?? 0) <= (status.observedGeneration ?? 0)) {
    const progressing = status.conditions?.find((c) => c.type === 'Progressing')
    if (progressing?.reason === TIMED_OUT_REASON) {
      return { done: false, failed: true, message: `deployment "${name}" exceeded its progress deadline` }
    }
    const updated = status.updatedReplicas ?? 0
    const specReplicas = deployment.spec?.replicas
    if (specReplicas !== undefined && updated < specReplicas) {
      return waiting(
        `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${specReplicas} new replicas have been updated...`
      )
    }
    const replicas = status.replicas ?? 0
    if (replicas > updated) {
      return waiting(
        `Waiting for deployment "${name}" rollout to finish: ${replicas - updated} old replicas are pending termination...`
      )
    }
    const available = status.availableReplicas ?? 0
    if (available < updated) {
      return waiting(
        `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...`
      )
    }
    return { done: true, message: `deployment "${name}" successfully rolled out` }
  }
  return waiting('Waiting for deployment spec update to be observed...')
}

/** By recorded name, then by revision annotation, then by revision-history (a re-used ReplicaSet). */
export function findRecordedReplicaSet(
  sets: V1ReplicaSet[],
  record: RevisionRecord
): V1ReplicaSet | undefined {
  if (record.replicaSet) {
    const byName = sets.find((rs) => rs.metadata?.name === record.replicaSet)
    if (byName) return byName
  }
  if (!record.revision) return undefined
  return (
    sets.find((rs) => rs.metadata?.annotations?.[REVISION_ANNOTATION] === record.revision) ??
    sets.find((rs) =>
      (rs.metadata?.annotations?.['deployment.kubernetes.io/revision-history'] ?? '')
        .split(',')
        .includes(record.revision!)
    )
  )
}

function rollbackAnnotations(deployment: V1Deployment, recorded: V1ReplicaSet): Record<string, string> {
  const annotations: Record<string, string> = {}
  for (const [key, value] of Object.entries(deployment.metadata?.annotations ?? {}))
    if (DEPLOYMENT_OWN_ANNOTATIONS.has(key)) annotations[key] = value
  for (const [key, value] of Object.entries(recorded.metadata?.annotations ?? {}))
    if (!DEPLOYMENT_OWN_ANNOTATIONS.has(key)) annotations[key] = value
  return annotations
}

function withoutHashLabel(template: V1PodTemplateSpec): V1PodTemplateSpec {
  const copy = JSON.parse(JSON.stringify(template)) as V1PodTemplateSpec
  if (copy.metadata?.labels) delete copy.metadata.labels[POD_TEMPLATE_HASH_LABEL]
  return copy
}

/** Semantic equality as apimachinery's: nil and empty maps/slices are equal. */
function sameTemplate(a: V1PodTemplateSpec, b: V1PodTemplateSpec): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b))
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical)
  if (value instanceof Date) return value.toISOString()
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value).sort()) {
    const v = canonical((value as Record<string, unknown>)[key])
    if (v === undefined || v === null) continue
    if (Array.isArray(v) && v.length === 0) continue
    if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0) continue
    out[key] = v
  }
  return out
}

/** How far the controller lets a rollout go beyond and below the replica count (see rollout-limits.ts). */
function deploymentLimits(deployment: V1Deployment, override: number | undefined): RolloutLimits {
  const replicas = override ?? deployment.spec?.replicas ?? 1
  const strategy = deployment.spec?.strategy?.type ?? 'RollingUpdate'
  const problems: string[] = []
  if (strategy === 'Recreate') return { strategy, replicas, maxSurge: 0, maxUnavailable: replicas, problems }
  const rolling = deployment.spec?.strategy?.rollingUpdate
  const surge = resolveIntOrPercent(rolling?.maxSurge, '25%', replicas, true, 'maxSurge', problems)
  let unavailable = resolveIntOrPercent(
    rolling?.maxUnavailable,
    '25%',
    replicas,
    false,
    'maxUnavailable',
    problems
  )
  if (surge === 0 && unavailable === 0) unavailable = 1
  return { strategy, replicas, maxSurge: surge, maxUnavailable: Math.min(unavailable, replicas), problems }
}
