/**
 * The REST verbs (get, list, create, update, patch, delete) with the apiserver's semantics:
 * system metadata, defaulting, validation, optimistic concurrency on resourceVersion,
 * generation bumps on spec changes only, status and scale subresources, server-side dry-run,
 * and no-op writes that change nothing (no new resourceVersion, no watch event).
 * Used by the HTTP layer, by the simulator's direct seeding API and by the controllers.
 */
import { randomUUID } from 'node:crypto'
import type { AdmissionPlugin } from './admission.js'
import {
  alreadyExists,
  ApiError,
  badRequest,
  conflict,
  namespaceTerminating,
  notFound,
  unsupportedCustomPatch,
  unsupportedMediaType,
  type Status
} from './api-errors.js'
import { apiVersionOf, type ResourceType } from './api-resources.js'
import {
  cleanupFinalizer,
  crdResourceTypes,
  establishedCrdStatus,
  initialCrdStatus
} from './custom-resource-definitions.js'
import { applyDefaults } from './defaults.js'
import { fromEventsV1, toEventsV1 } from './event-conversion.js'
import { matchesFields, parseFieldSelector } from './field-selector.js'
import { applyJsonPatch } from './json-patch.js'
import { clone, deepEqual, isJsonObject, sortKeys, type Json, type JsonObject } from './json-values.js'
import type { KubeObject, LabelSelector } from './kube-types.js'
import { formatLabelSelector, matches, parseLabelSelector } from './label-selector.js'
import { applyMergePatch } from './merge-patch.js'
import type { ObjectStore } from './object-store.js'
import { randomSuffix } from './random-names.js'
import type { ResourceRegistry } from './resource-registry.js'
import { applyStrategicMergePatch } from './strategic-merge-patch.js'
import { pruneAndDefault } from './structural-schema.js'
import { formatTime } from './time-format.js'
import { validate, validateCustomObject } from './validation.js'
import { normalizeWireFields } from './wire-format.js'

export type Subresource = 'status' | 'scale'

export interface WriteContext {
  dryRun?: boolean
  /** The authenticated user of an API request; writes with a user are recorded in the write log. */
  user?: string
  subresource?: Subresource
  /** The request body as sent, for the messages that quote it. */
  rawBody?: string
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

const crdStorage = 'apiextensions.k8s.io/customresourcedefinitions'

export const patchContentTypes = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json'
} as const

export class ResourceOperations {
  private readonly admission: AdmissionPlugin[] = []

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly now: () => number,
    private readonly onWrite: (record: WriteRecord) => void
  ) {}

  /** Adds a validating admission plugin; plugins run in the order added, on creates. */
  useAdmission(plugin: AdmissionPlugin): void {
    this.admission.push(plugin)
  }

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
    const object = this.decode(type, body, context.rawBody)
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
    normalizeWireFields(type, object)
    this.defaultAndValidate(type, object, undefined, undefined)
    if (type.namespaced) this.requireWritableNamespace(type, scope!, object.metadata.name!)
    for (const plugin of this.admission) plugin.admitCreate({ type, object, dryRun: context.dryRun === true })
    if (this.store.peek(type.storageKey, scope, object.metadata.name!)) {
      throw alreadyExists(type, object.metadata.name!)
    }
    const toStore = type.custom
      ? (sortKeys(object as unknown as JsonObject) as unknown as KubeObject)
      : object
    if (context.dryRun) return this.present(type, toStore)
    const stored = this.store.put(type.storageKey, toStore)
    this.record(context, 'create', type, stored)
    if (type.storageKey === crdStorage) return this.present(type, this.establish(stored))
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
    const incoming = this.decode(type, body, context.rawBody)
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
    let next = this.merge(type, existing, incoming, context.subresource)
    normalizeWireFields(type, next)
    this.defaultAndValidate(type, next, existing, context.subresource)
    if (type.custom) next = sortKeys(next as unknown as JsonObject) as unknown as KubeObject
    if (type.tracksGeneration && this.generationChanged(type, existing, next)) {
      next.metadata.generation = (existing.metadata.generation ?? 0) + 1
    }
    const result = this.commit(type, existing, next, context, verb)
    if (type.storageKey === crdStorage && !context.dryRun && context.subresource !== 'status') {
      const stored = this.store.peek(type.storageKey, undefined, name)
      if (stored) return this.present(type, this.establish(stored))
    }
    return result
  }

  /**
   * Defaulting and validation of a write: built-in types per kind (none for /status writes),
   * custom objects by pruning, defaulting and checking against their CRD's schema (only the
   * status part for /status writes).
   */
  private defaultAndValidate(
    type: ResourceType,
    object: KubeObject,
    existing: KubeObject | undefined,
    subresource: Subresource | undefined
  ): void {
    if (type.custom) {
      if (type.custom.schema) pruneAndDefault(object as unknown as JsonObject, type.custom.schema)
      validateCustomObject(type, object, subresource === 'status')
      return
    }
    if (subresource === 'status') return
    applyDefaults(type, object)
    validate(type, object, existing)
  }

  /**
   * metadata.generation moves with spec changes for built-in types; for custom objects with any
   * change outside metadata, and outside status when the CRD has a status subresource (so
   * without one, a status write bumps the generation, as for Argo CD Applications).
   */
  private generationChanged(type: ResourceType, existing: KubeObject, next: KubeObject): boolean {
    if (!type.custom) return !deepEqual(existing['spec'], next['spec'])
    const content = (object: KubeObject) => {
      const rest: Record<string, unknown> = { ...object }
      delete rest['metadata']
      if (type.subresources.includes('status')) delete rest['status']
      return rest
    }
    return !deepEqual(content(existing), content(next))
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
        // Custom objects have no patch strategies, so the apiserver refuses this content type.
        if (type.custom) throw unsupportedCustomPatch()
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
    if (type.storageKey === crdStorage) return this.deleteCrd(type, existing, nowText, context)
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

  private decode(type: ResourceType, body: unknown, rawBody?: string): KubeObject {
    if (!isJsonObject(body)) throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(body)}'`)
    if (type.custom) return this.decodeCustom(type, body, rawBody ?? JSON.stringify(body))
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

  /**
   * The unstructured decoder of the CRD handler: kind and apiVersion are required (a wrong kind
   * is left for validation to report), and objects are stored in the storage version.
   */
  private decodeCustom(type: ResourceType, body: JsonObject, rawBody: string): KubeObject {
    if (typeof body['kind'] !== 'string' || body['kind'] === '') {
      const summary = rawBody.length > 30 ? `${rawBody.slice(0, 30)} ...` : rawBody
      throw badRequest(
        `the object provided is unrecognized (must be of type ${type.kind}): Object 'Kind' is missing in '${rawBody}' (${summary})`
      )
    }
    if (body['apiVersion'] !== apiVersionOf(type)) {
      const sent = typeof body['apiVersion'] === 'string' ? body['apiVersion'] : ''
      throw badRequest(
        `the API version in the data (${sent}) does not match the expected API version (${apiVersionOf(type)})`
      )
    }
    const object = clone(body) as unknown as KubeObject
    if (!isJsonObject(object.metadata)) object.metadata = {}
    object.apiVersion = type.group
      ? `${type.group}/${type.custom!.storageVersion}`
      : type.custom!.storageVersion
    return object
  }

  /** The shape objects are stored in: events.k8s.io Events are stored as core Events. */
  private storedType(type: ResourceType): ResourceType {
    if (type.group !== 'events.k8s.io') return type
    return this.registry.byStorageKey('core/events')!
  }

  private present(type: ResourceType, stored: KubeObject): KubeObject {
    const copy = clone(stored)
    if (type.group === 'events.k8s.io') return toEventsV1(copy)
    // Conversion strategy None: another served version differs only in apiVersion.
    if (type.custom) return { ...copy, apiVersion: apiVersionOf(type) }
    // kind and apiVersion first, as the apiserver serialises them.
    const { kind, apiVersion, ...rest } = copy
    return { kind, apiVersion, ...rest }
  }

  private resetStatusOnCreate(type: ResourceType, object: KubeObject): void {
    if (type.custom) {
      if (type.subresources.includes('status')) delete object['status']
      return
    }
    if (type.storageKey === crdStorage) {
      object['status'] = initialCrdStatus(object)
      return
    }
    if (type.subresources.includes('status') && type.storageKey !== 'core/nodes') {
      object['status'] =
        type.storageKey === 'core/pods' ? { phase: 'Pending', qosClass: qosClass(object) } : {}
    }
  }

  private requireWritableNamespace(type: ResourceType, namespace: string, name: string): void {
    const ns = this.store.peek('core/namespaces', undefined, namespace)
    if (!ns) throw notFound(this.registry.byStorageKey('core/namespaces')!, namespace)
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
    if (subresource === 'status' && type.custom) {
      // The custom resource status strategy takes nothing but status from the request.
      const next = clone(existing)
      if (incoming['status'] === undefined) delete next['status']
      else next['status'] = incoming['status']
      return next
    }
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

  /**
   * What the apiextensions controllers do with a new or changed CRD: its versions are served and
   * its status says so (NamesAccepted, Established). Happens at once here; on a real cluster it
   * takes a moment, and the create response still shows the initial status.
   */
  private establish(crd: KubeObject): KubeObject {
    this.registry.setCustom(crd.metadata.name!, crdResourceTypes(crd))
    const status = establishedCrdStatus(crd, this.now())
    if (deepEqual(crd['status'], status)) return crd
    return this.store.put(crdStorage, { ...clone(crd), status })
  }

  /**
   * Deleting a CRD deletes all its objects and stops serving it. A real apiserver holds the CRD
   * with the customresourcecleanup finalizer while it does so; here it is gone at once, but the
   * response shows the finalizer and deletionTimestamp like the real one.
   */
  private deleteCrd(
    type: ResourceType,
    existing: KubeObject,
    nowText: string,
    context: WriteContext
  ): KubeObject {
    const terminating = clone(existing)
    terminating.metadata.deletionTimestamp = nowText
    terminating.metadata.finalizers = [...(terminating.metadata.finalizers ?? []), cleanupFinalizer]
    if (context.dryRun) return this.present(type, terminating)
    const served = this.registry.all().find((t) => t.custom?.crdName === existing.metadata.name)
    if (served) {
      for (const object of this.store.peekAll(served.storageKey)) {
        this.store.remove(served.storageKey, object.metadata.namespace, object.metadata.name!)
      }
    }
    this.registry.removeCustom(existing.metadata.name!)
    const removed = this.store.remove(type.storageKey, undefined, existing.metadata.name!)!
    this.record(context, 'delete', type, removed)
    return this.present(type, {
      ...terminating,
      metadata: { ...terminating.metadata, resourceVersion: removed.metadata.resourceVersion }
    })
  }

  /** `propagationPolicy: Orphan`: dependents lose their owner reference instead of being collected. */
  private orphanDependents(owner: KubeObject): void {
    const seen = new Set<string>()
    for (const candidate of this.registry.all()) {
      if (!candidate.namespaced || candidate.group === 'events.k8s.io' || seen.has(candidate.storageKey))
        continue
      seen.add(candidate.storageKey)
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
