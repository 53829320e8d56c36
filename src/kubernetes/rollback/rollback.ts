import type { V1Deployment, V1PodTemplateSpec, V1ReplicaSet } from '@kubernetes/client-node'
import { listOwnedReplicaSets, POD_TEMPLATE_HASH_LABEL } from '../kinds/new-pods.js'
import type { RevisionRecord } from './revision-record.js'
import { REVISION_ANNOTATION } from '../kinds/rollout-status.js'
import { CHANGE_CAUSE_ANNOTATION } from '../rollout/set-image-patch.js'
import { describeWorkload, type Workload } from '../kinds/workload-kinds.js'
import type { JsonPatchOperation, WorkloadApi } from '../api/kubernetes-api.js'

/**
 * Returns a workload to the revision recorded before promotion (revision-record.ts). The
 * caller then waits for it with waitForRollout (without `revision`: the controller gives the
 * restored ReplicaSet a new, highest revision number).
 *
 * Deployment, as `kubectl rollout undo --to-revision=N` (polymorphichelpers/rollback.go):
 * find the ReplicaSet the Deployment controls with the recorded name or revision (or the
 * revision in its revision-history), skip if its template already equals the Deployment's
 * (ignoring pod-template-hash), else JSON-patch `/spec/template` (hash label removed) and
 * `/metadata/annotations` (the ReplicaSet's, plus the Deployment's own bookkeeping keys).
 * Paused Deployments are refused, as kubectl does. If that ReplicaSet is gone (garbage-
 * collected past revisionHistoryLimit), the recorded images are patched back instead.
 *
 * StatefulSet / DaemonSet: the recorded images are patched back (strategic merge). What the
 * promotion changed is the images; restoring a ControllerRevision would need more RBAC.
 */
export interface RollbackOptions {
  dryRun?: boolean
}

export interface RollbackResult {
  /** `replica-set`: the recorded template restored; `images`: recorded images patched back; `unchanged`: already there. */
  method: 'replica-set' | 'images' | 'unchanged'
  message: string
  /** The workload as the API returned it after the patch (or as read, when unchanged). */
  workload: Workload
}

export class RollbackError extends Error {
  override readonly name = 'RollbackError'
}

/** Deployment annotations kubectl keeps from the Deployment itself rather than the ReplicaSet. */
const DEPLOYMENT_OWN_ANNOTATIONS = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to'
])

export async function rollback(
  api: WorkloadApi,
  record: RevisionRecord,
  options: RollbackOptions = {}
): Promise<RollbackResult> {
  const target = record.target
  const label = describeWorkload(target)
  const workload = await api.getWorkload(target)
  if (record.uid && workload.metadata?.uid !== record.uid) {
    throw new RollbackError(
      `${label} was deleted and re-created since its revision was recorded (uid ${record.uid}, now ${workload.metadata?.uid}); not rolling back a different object`
    )
  }
  if (target.kind !== 'Deployment')
    return restoreImages(api, record, workload, options, `${label}: restored the recorded images`)

  const deployment = workload as V1Deployment
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
      workload,
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
      workload
    }
  }
  const operations: JsonPatchOperation[] = [
    { op: 'replace', path: '/spec/template', value: template },
    // `add` replaces an existing member and, unlike `replace`, also works when there is none.
    { op: 'add', path: '/metadata/annotations', value: rollbackAnnotations(deployment, recorded) }
  ]
  const patched = await api.jsonPatchWorkload(
    { ...target, kind: 'Deployment' },
    operations,
    options.dryRun ? { dryRun: true } : {}
  )
  return {
    method: 'replica-set',
    message: `${label}: rolled back to revision ${revision} (ReplicaSet ${recorded.metadata?.name})`,
    workload: patched
  }
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

async function restoreImages(
  api: WorkloadApi,
  record: RevisionRecord,
  workload: Workload,
  options: RollbackOptions,
  message: string
): Promise<RollbackResult> {
  const spec = workload.spec?.template?.spec
  const missing: string[] = []
  const pick = (
    recorded: Record<string, string>,
    current: Array<{ name: string; image?: string }> | undefined
  ) => {
    const changes: Array<{ name: string; image: string }> = []
    for (const [name, image] of Object.entries(recorded)) {
      const container = current?.find((c) => c.name === name)
      // A strategic merge patch naming an absent container would add a half-defined one.
      if (!container) missing.push(name)
      else if (container.image !== image) changes.push({ name, image })
    }
    return changes
  }
  const containers = pick(record.images.containers, spec?.containers)
  const initContainers = pick(record.images.initContainers, spec?.initContainers)
  const note = missing.length ? ` (containers no longer present, left alone: ${missing.join(', ')})` : ''
  if (containers.length === 0 && initContainers.length === 0) {
    return {
      method: 'unchanged',
      message: `${describeWorkload(record.target)}: already runs the recorded images${note}`,
      workload
    }
  }
  const restored = [...initContainers, ...containers].map((c) => `${c.name}=${c.image}`).join(', ')
  const patch = {
    metadata: { annotations: { [CHANGE_CAUSE_ANNOTATION]: `promote-action: roll back to ${restored}` } },
    spec: {
      template: {
        spec: {
          ...(containers.length ? { containers } : {}),
          ...(initContainers.length ? { initContainers } : {})
        }
      }
    }
  }
  const patched = await api.patchWorkload(record.target, patch, options.dryRun ? { dryRun: true } : {})
  return { method: 'images', message: `${message}: ${restored}${note}`, workload: patched }
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
