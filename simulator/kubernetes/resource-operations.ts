/**
 * The REST verbs (get, list, create, update, patch, delete) with the apiserver's semantics:
 * system metadata, defaulting, validation, optimistic concurrency on resourceVersion,
 * generation bumps on spec changes only, status and scale subresources, server-side dry-run,
 * and no-op writes that change nothing (no new resourceVersion, no watch event).
 * Used by the HTTP layer, by the simulator's direct seeding API and by the controllers.
 */
import { randomUUID } from 'node:crypto'
import {
  alreadyExists,
  ApiError,
  badRequest,
  conflict,
  namespaceTerminating,
  notFound,
  unsupportedMediaType,
  type Status
} from './api-errors.js'
import { apiVersionOf, resourceTypes, type ResourceType } from './api-resources.js'
import { applyDefaults } from './defaults.js'
import { fromEventsV1, toEventsV1 } from './event-conversion.js'
import { matchesFields, parseFieldSelector } from './field-selector.js'
import { applyJsonPatch } from './json-patch.js'
import { clone, deepEqual, isJsonObject, type Json } from './json-values.js'
import type { KubeObject, LabelSelector } from './kube-types.js'
import { formatLabelSelector, matches, parseLabelSelector } from './label-selector.js'
import { applyMergePatch } from './merge-patch.js'
import type { ObjectStore } from './object-store.js'
import { randomSuffix } from './random-names.js'
import { applyStrategicMergePatch } from './strategic-merge-patch.js'
import { formatTime, normalizeMicroTime } from './time-format.js'
import { validate } from './validation.js'

export type Subresource = 'status' | 'scale'

export interface WriteContext {
  dryRun?: boolean
  /** The authenticated user of an API request; writes with a user are recorded in the write log. */
  user?: string
  subresource?: Subresource
}

export interface WriteRecord {
  verb: 'create' | 'update' | 'patch' | 'delete'
  type: ResourceType
  subresource?: Subresource
  namespace?: string
  name: string
  user: string
}

export interface ListOptions {
  labelSelector?: string
  fieldSelector?: string
}

export interface DeleteOptions {
  preconditions?: { resourceVersion?: string; uid?: string }
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground'
  orphanDependents?: boolean
}

export const patchContentTypes = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json'
} as const

export class ResourceOperations {
  constructor(
    private readonly store: ObjectStore,
    private readonly now: () => number,
    private readonly onWrite: (record: WriteRecord) => void
  ) {}

  get(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    subresource?: Subresource
  ): KubeObject {
    const stored = this.store.peek(type.storageKey, this.scope(type, namespace), name)
    if (!stored) throw notFound(type, name)
    if (subresource === 'scale') return this.toScale(type, stored)
    return this.present(type, stored)
  }

  list(type: ResourceType, namespace: string | undefined, options: ListOptions = {}): KubeObject[] {
    const labels = parseLabelSelector(options.labelSelector)
    const fields = parseFieldSelector(type, options.fieldSelector)
    return this.store
      .peekAll(type.storageKey, type.namespaced ? namespace : undefined)
      .filter((object) => matches(labels, object.metadata.labels) && matchesFields(fields, object))
      .map((object) => this.present(type, object))
  }

  create(
    type: ResourceType,
    namespace: string | undefined,
    body: unknown,
    context: WriteContext = {}
  ): KubeObject {
    const object = this.decode(type, body)
    const scope = this.scope(type, namespace)
    if (type.namespaced) {
      if (object.metadata.namespace && object.metadata.namespace !== scope) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request'
        )
      }
      object.metadata.namespace = scope
    } else {
      delete object.metadata.namespace
    }
    if (object.metadata.resourceVersion) {
      throw new ApiError(
        500,
        'InternalError',
        'Internal error occurred: resourceVersion should not be set on objects to be created',
        { causes: [{ reason: '', message: 'resourceVersion should not be set on objects to be created' }] }
      )
    }
    if (!object.metadata.name && object.metadata.generateName) {
      object.metadata.name = `${object.metadata.generateName}${randomSuffix()}`
    }
    object.metadata.uid = randomUUID()
    object.metadata.creationTimestamp = formatTime(this.now())
    delete object.metadata.deletionTimestamp
    if (type.tracksGeneration) object.metadata.generation = 1
    else delete object.metadata.generation
    this.resetStatusOnCreate(type, object)
    applyDefaults(type, object)
    this.normalizeWireFields(type, object)
    validate(type, object)
    if (type.namespaced) this.requireWritableNamespace(type, scope!, object.metadata.name!)
    if (this.store.peek(type.storageKey, scope, object.metadata.name!)) {
      throw alreadyExists(type, object.metadata.name!)
    }
    if (context.dryRun) return this.present(type, object)
    const stored = this.store.put(type.storageKey, object)
    this.record(context, 'create', type, stored)
    return this.present(type, stored)
  }

  update(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    context: WriteContext = {},
    verb: 'update' | 'patch' = 'update'
  ): KubeObject {
    const scope = this.scope(type, namespace)
    const existing = this.store.peek(type.storageKey, scope, name)
    if (!existing) throw notFound(type, name)
    if (context.subresource === 'scale') return this.updateScale(type, existing, body, context, verb)
    const incoming = this.decode(type, body)
    if (incoming.metadata.name !== undefined && incoming.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`
      )
    }
    if (type.namespaced && incoming.metadata.namespace && incoming.metadata.namespace !== scope) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request'
      )
    }
    this.checkPreconditions(type, existing, incoming.metadata.resourceVersion, incoming.metadata.uid)
    const next = this.merge(type, existing, incoming, context.subresource)
    if (context.subresource !== 'status') {
      applyDefaults(type, next)
      this.normalizeWireFields(type, next)
      validate(type, next, existing)
    } else {
      this.normalizeWireFields(type, next)
    }
    if (type.tracksGeneration && !deepEqual(existing['spec'], next['spec'])) {
      next.metadata.generation = (existing.metadata.generation ?? 0) + 1
    }
    return this.commit(type, existing, next, context, verb)
  }

  patch(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    contentType: string,
    context: WriteContext = {}
  ): KubeObject {
    const scope = this.scope(type, namespace)
    const existing = this.store.peek(type.storageKey, scope, name)
    if (!existing) throw notFound(type, name)
    const current = (
      context.subresource === 'scale' ? this.toScale(type, existing) : this.present(type, existing)
    ) as Json
    let patched: Json
    switch (contentType) {
      case patchContentTypes.json:
        patched = applyJsonPatch(current, patch)
        break
      case patchContentTypes.merge:
        if (!isJsonObject(patch)) throw badRequest('merge patch must be a JSON object')
        patched = applyMergePatch(current, patch)
        break
      case patchContentTypes.strategic:
        patched = applyStrategicMergePatch(current, patch as Json)
        break
      default:
        throw unsupportedMediaType(contentType)
    }
    if (!isJsonObject(patched) || !isJsonObject(patched['metadata'])) {
      throw badRequest('the patched object is not a Kubernetes object')
    }
    // A patch carries no precondition unless it sets metadata.resourceVersion itself.
    return this.update(type, scope, name, patched, context, 'patch')
  }

  delete(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions = {},
    context: WriteContext = {}
  ): KubeObject | Status {
    const scope = this.scope(type, namespace)
    const existing = this.store.peek(type.storageKey, scope, name)
    if (!existing) throw notFound(type, name)
    const preconditions = options.preconditions ?? {}
    if (preconditions.uid && preconditions.uid !== existing.metadata.uid) {
      throw conflict(
        type,
        name,
        `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${existing.metadata.uid}`
      )
    }
    if (
      preconditions.resourceVersion &&
      preconditions.resourceVersion !== existing.metadata.resourceVersion
    ) {
      throw conflict(
        type,
        name,
        `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${existing.metadata.resourceVersion}`
      )
    }
    const nowText = formatTime(this.now())
    if (type.storageKey === 'core/namespaces') {
      // Namespaces are finalized: they turn Terminating and the namespace controller
      // removes their content and then the namespace itself.
      const terminating = clone(existing)
      terminating.metadata.deletionTimestamp ??= nowText
      ;(terminating['status'] as Record<string, unknown>) = { phase: 'Terminating' }
      if (context.dryRun) return this.present(type, terminating)
      const stored = this.store.put(type.storageKey, terminating)
      this.record(context, 'delete', type, stored)
      return this.present(type, stored)
    }
    if (!context.dryRun) {
      if (options.propagationPolicy === 'Orphan' || options.orphanDependents === true) {
        this.orphanDependents(existing)
      }
      const removed = this.store.remove(type.storageKey, scope, name)!
      this.record(context, 'delete', type, removed)
    }
    if (type.storageKey === 'core/pods') {
      const pod = this.present(type, existing)
      pod.metadata.deletionTimestamp = nowText
      pod.metadata['deletionGracePeriodSeconds'] = 0
      return pod
    }
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: {
        name,
        ...(type.group ? { group: type.group } : {}),
        kind: type.resource,
        uid: existing.metadata.uid!
      }
    } as Status
  }

  /**
   * References to the stored objects of a type (all namespaces when none is given), for
   * controllers that only read: cheaper than list(), which copies every object.
   */
  peekAll(type: ResourceType, namespace?: string): readonly KubeObject[] {
    return this.store.peekAll(type.storageKey, type.namespaced ? namespace : undefined)
  }

  /** A reference to a stored object, for controllers that only read. */
  peek(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.store.peek(type.storageKey, this.scope(type, namespace), name)
  }

  private scope(type: ResourceType, namespace: string | undefined): string | undefined {
    if (!type.namespaced) return undefined
    if (!namespace) throw badRequest('an empty namespace may not be set when a resource name is provided')
    return namespace
  }

  private decode(type: ResourceType, body: unknown): KubeObject {
    if (!isJsonObject(body)) throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(body)}'`)
    let object = clone(body) as unknown as KubeObject
    if (object.kind !== undefined && object.kind !== type.kind) {
      throw badRequest(
        `the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${apiVersionOf(type)}) or kind ${String(object.kind)} is not ${type.kind}`
      )
    }
    if (!isJsonObject(object.metadata)) object.metadata = {}
    if (type.group === 'events.k8s.io') object = fromEventsV1(object)
    const storedType = this.storedType(type)
    const rest: Partial<KubeObject> = { ...object }
    delete rest.kind
    delete rest.apiVersion
    return { kind: storedType.kind, apiVersion: apiVersionOf(storedType), metadata: object.metadata, ...rest }
  }

  /** The shape objects are stored in: events.k8s.io Events are stored as core Events. */
  private storedType(type: ResourceType): ResourceType {
    if (type.group !== 'events.k8s.io') return type
    return resourceTypes.find((t) => t.group === '' && t.resource === 'events')!
  }

  private present(type: ResourceType, stored: KubeObject): KubeObject {
    const copy = clone(stored)
    if (type.group === 'events.k8s.io') return toEventsV1(copy)
    // kind and apiVersion first, as the apiserver serialises them.
    const { kind, apiVersion, ...rest } = copy
    return { kind, apiVersion, ...rest }
  }

  private resetStatusOnCreate(type: ResourceType, object: KubeObject): void {
    if (type.subresources.includes('status') && type.storageKey !== 'core/nodes') {
      object['status'] =
        type.storageKey === 'core/pods' ? { phase: 'Pending', qosClass: qosClass(object) } : {}
    }
  }

  private requireWritableNamespace(type: ResourceType, namespace: string, name: string): void {
    const ns = this.store.peek('core/namespaces', undefined, namespace)
    if (!ns)
      throw notFound(
        resourceTypes.find((t) => t.resource === 'namespaces')!,
        namespace
      )
    if (ns.metadata.deletionTimestamp) throw namespaceTerminating(type, name, namespace)
  }

  private checkPreconditions(
    type: ResourceType,
    existing: KubeObject,
    resourceVersion: string | undefined,
    uid: string | undefined
  ): void {
    if (uid && uid !== existing.metadata.uid) {
      throw conflict(
        type,
        existing.metadata.name!,
        `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${existing.metadata.uid}`
      )
    }
    if (resourceVersion && resourceVersion !== existing.metadata.resourceVersion) {
      throw conflict(type, existing.metadata.name!)
    }
  }

  /**
   * The next stored state: system metadata kept, and spec/status split by subresource.
   * `incoming` is decode()'s fresh copy and is taken over (not copied again).
   */
  private merge(
    type: ResourceType,
    existing: KubeObject,
    incoming: KubeObject,
    subresource: Subresource | undefined
  ): KubeObject {
    if (subresource === 'status') {
      const next = clone(existing)
      next['status'] = incoming['status'] ?? {}
      // The apps status strategies reset only spec and labels, so annotations written through
      // /status stick; the deployment controller relies on this for its revision annotation.
      if (type.group === 'apps') {
        if (incoming.metadata.annotations === undefined) delete next.metadata.annotations
        else next.metadata.annotations = incoming.metadata.annotations
      }
      return next
    }
    const next = incoming
    const keep = ['uid', 'creationTimestamp', 'generation', 'deletionTimestamp', 'namespace', 'name']
    for (const key of keep) {
      if (existing.metadata[key] === undefined) delete next.metadata[key]
      else next.metadata[key] = existing.metadata[key]
    }
    next.metadata.resourceVersion = existing.metadata.resourceVersion
    if (type.subresources.includes('status')) {
      if (existing['status'] === undefined) delete next['status']
      else next['status'] = clone(existing['status'])
    }
    return next
  }

  private commit(
    type: ResourceType,
    existing: KubeObject,
    next: KubeObject,
    context: WriteContext,
    verb: 'update' | 'patch'
  ): KubeObject {
    // The apiserver skips the storage write when nothing changed: no new resourceVersion,
    // no watch event.
    if (deepEqual(existing, next)) return this.present(type, existing)
    if (context.dryRun) return this.present(type, next)
    const stored = this.store.put(type.storageKey, next)
    this.record(context, verb, type, stored)
    return this.present(type, stored)
  }

  private toScale(type: ResourceType, stored: KubeObject): KubeObject {
    if (!type.subresources.includes('scale')) throw notFound(type, stored.metadata.name!)
    const spec = (stored['spec'] ?? {}) as { replicas?: number; selector?: LabelSelector }
    const status = (stored['status'] ?? {}) as { replicas?: number }
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: stored.metadata.name,
        namespace: stored.metadata.namespace,
        uid: stored.metadata.uid,
        resourceVersion: stored.metadata.resourceVersion,
        creationTimestamp: stored.metadata.creationTimestamp
      },
      spec: { replicas: spec.replicas ?? 0 },
      status: { replicas: status.replicas ?? 0, selector: formatLabelSelector(spec.selector) }
    }
  }

  private updateScale(
    type: ResourceType,
    existing: KubeObject,
    body: unknown,
    context: WriteContext,
    verb: 'update' | 'patch'
  ): KubeObject {
    if (!type.subresources.includes('scale')) throw notFound(type, existing.metadata.name!)
    const scale = body as { metadata?: { resourceVersion?: string }; spec?: { replicas?: unknown } }
    this.checkPreconditions(type, existing, scale.metadata?.resourceVersion, undefined)
    const replicas = scale.spec?.replicas
    if (typeof replicas !== 'number' || replicas < 0) {
      throw badRequest(
        `spec.replicas: Invalid value: ${String(replicas)}: must be greater than or equal to 0`
      )
    }
    const next = clone(existing)
    ;(next['spec'] as Record<string, unknown>)['replicas'] = replicas
    if (!deepEqual(existing['spec'], next['spec']))
      next.metadata.generation = (existing.metadata.generation ?? 0) + 1
    const result = this.commit(type, existing, next, { ...context, subresource: 'scale' }, verb)
    return this.toScale(type, result)
  }

  private normalizeWireFields(type: ResourceType, object: KubeObject): void {
    if (type.storageKey !== 'coordination.k8s.io/leases') return
    const spec = object['spec'] as Record<string, unknown> | undefined
    for (const field of ['acquireTime', 'renewTime']) {
      const value = spec?.[field]
      if (value === undefined || value === null) continue
      const normalized = typeof value === 'string' ? normalizeMicroTime(value) : undefined
      if (!normalized) {
        throw badRequest(
          `Lease in version "v1" cannot be handled as a Lease: parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05.000000Z07:00": cannot parse as MicroTime (six fractional digits required)`
        )
      }
      spec![field] = normalized
    }
  }

  /** `propagationPolicy: Orphan`: dependents lose their owner reference instead of being collected. */
  private orphanDependents(owner: KubeObject): void {
    for (const candidate of resourceTypes) {
      if (!candidate.namespaced || candidate.group === 'events.k8s.io') continue
      for (const dependent of this.store.peekAll(candidate.storageKey, owner.metadata.namespace)) {
        const refs = dependent.metadata.ownerReferences ?? []
        if (!refs.some((ref) => ref.uid === owner.metadata.uid)) continue
        const next = clone(dependent)
        next.metadata.ownerReferences = refs.filter((ref) => ref.uid !== owner.metadata.uid)
        if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences
        this.store.put(candidate.storageKey, next)
      }
    }
  }

  private record(
    context: WriteContext,
    verb: WriteRecord['verb'],
    type: ResourceType,
    object: KubeObject
  ): void {
    if (context.user === undefined) return
    this.onWrite({
      verb,
      type,
      ...(context.subresource ? { subresource: context.subresource } : {}),
      ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
      name: object.metadata.name!,
      user: context.user
    })
  }
}

function qosClass(pod: KubeObject): string {
  const containers = ((
    pod['spec'] as { containers?: Array<{ resources?: Record<string, unknown> }> } | undefined
  )?.containers ?? []) as Array<{ resources?: { requests?: object; limits?: object } }>
  const hasResources = containers.some(
    (c) =>
      Object.keys(c.resources?.requests ?? {}).length > 0 || Object.keys(c.resources?.limits ?? {}).length > 0
  )
  return hasResources ? 'Burstable' : 'BestEffort'
}
