/**
 * ControllerRevisions, the template history StatefulSets and DaemonSets keep
 * (pkg/controller/history): one revision per distinct pod template, named `<owner>-<hash>`,
 * holding `{spec: {template: {..., $patch: replace}}}`. Returning to an earlier template
 * re-uses its revision and gives it the next revision number, as the real controllers do.
 */
import { canonicalJson, clone } from '../json-values.js'
import type { ControllerRevision, KubeObject, PodTemplateSpec } from '../kube-types.js'
import { templateHash } from '../random-names.js'
import type { ControllerContext } from './controller-context.js'
import { controllerRef, isControlledBy } from './pod-health.js'

export function revisionData(template: PodTemplateSpec): ControllerRevision['data'] {
  return { spec: { template: { ...clone(template), $patch: 'replace' } } }
}

export function templateOfRevision(revision: ControllerRevision): PodTemplateSpec {
  const template = clone(revision.data.spec.template) as Record<string, unknown>
  delete template['$patch']
  return template as unknown as PodTemplateSpec
}

/** Canonical JSON per object; stored objects are never modified in place, so it can be cached. */
const canonicalTexts = new WeakMap<object, string>()

function canonicalOf(value: object, make: () => unknown = () => value): string {
  let text = canonicalTexts.get(value)
  if (text === undefined) {
    text = canonicalJson(make())
    canonicalTexts.set(value, text)
  }
  return text
}

export function hashOfTemplate(template: PodTemplateSpec): string {
  return templateHash(canonicalJson(revisionData(template)))
}

export function ownedRevisions(ctx: ControllerContext, owner: KubeObject): ControllerRevision[] {
  return (ctx.ops.peekAll(ctx.types.controllerrevisions, owner.metadata.namespace) as ControllerRevision[])
    .filter((cr) => isControlledBy(cr, owner))
    .sort((a, b) => a.revision - b.revision || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))
}

/**
 * The revision for the owner's current template, created or re-numbered as needed.
 * `hashLabel` is the label the owner's pods carry (`controller-revision-hash`), whose value
 * is the revision name for StatefulSets and the bare hash for DaemonSets.
 */
export function syncUpdateRevision(
  ctx: ControllerContext,
  owner: KubeObject & { spec: { template: PodTemplateSpec } }
): ControllerRevision {
  const revisions = ownedRevisions(ctx, owner)
  const template = owner.spec.template
  const wanted = canonicalOf(template, () => revisionData(template))
  const nextNumber = (revisions.at(-1)?.revision ?? 0) + 1
  const equal = revisions.filter((cr) => canonicalOf(cr.data) === wanted)
  const { ops, types } = ctx
  if (equal.length > 0) {
    const match = equal[equal.length - 1]!
    if (match === revisions.at(-1)) return match
    return ops.update(types.controllerrevisions, match.metadata.namespace, match.metadata.name!, {
      ...match,
      revision: nextNumber
    }) as ControllerRevision
  }
  const hash = hashOfTemplate(owner.spec.template)
  const revision: ControllerRevision = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${owner.metadata.name}-${hash}`,
      namespace: owner.metadata.namespace,
      labels: { ...owner.spec.template.metadata?.labels, 'controller.kubernetes.io/hash': hash },
      ownerReferences: [controllerRef(owner)]
    },
    data: revisionData(template),
    revision: nextNumber
  }
  const clash = ops.peek(types.controllerrevisions, owner.metadata.namespace, revision.metadata.name!)
  if (clash) ops.delete(types.controllerrevisions, owner.metadata.namespace, revision.metadata.name!)
  return ops.create(types.controllerrevisions, owner.metadata.namespace, revision) as ControllerRevision
}

/** Deletes the oldest revisions no pod uses beyond revisionHistoryLimit. */
export function truncateHistory(
  ctx: ControllerContext,
  owner: KubeObject,
  live: Set<string>,
  limit: number
): void {
  const history = ownedRevisions(ctx, owner).filter((cr) => !live.has(cr.metadata.name!))
  const excess = history.length - limit
  for (const cr of history.slice(0, Math.max(0, excess))) {
    ctx.ops.delete(ctx.types.controllerrevisions, cr.metadata.namespace, cr.metadata.name!)
  }
}
