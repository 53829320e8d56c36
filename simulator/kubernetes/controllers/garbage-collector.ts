/**
 * The garbage collector and namespace controller. Objects whose owner (by ownerReference
 * uid) no longer exists are deleted, which gives the default Background propagation:
 * deleting a Deployment removes its ReplicaSets and then their pods. A Terminating namespace
 * is emptied and then removed.
 */
import type { ResourceType } from '../api-resources.js'
import type { KubeObject } from '../kube-types.js'
import type { ObjectStore } from '../object-store.js'
import type { Controller, ControllerContext } from './controller-context.js'

export class GarbageCollector implements Controller {
  private storages: ResourceType[] = []
  private storagesRevision = -1

  constructor(
    private readonly ctx: ControllerContext,
    private readonly store: ObjectStore
  ) {}

  /** One type per namespaced storage (custom types included), recomputed when CRDs change. */
  private get namespacedStorage(): ResourceType[] {
    const { registry } = this.ctx
    if (this.storagesRevision !== registry.revision) {
      this.storagesRevision = registry.revision
      this.storages = [
        ...new Map(
          registry
            .all()
            .filter((t) => t.namespaced && !t.storageKey.startsWith('virtual/'))
            .map((t) => [t.storageKey, t])
        ).values()
      ]
    }
    return this.storages
  }

  sync(): void {
    this.collectOrphans()
    this.finalizeNamespaces()
  }

  private ownerExists(
    dependent: KubeObject,
    ref: { apiVersion: string; kind: string; name: string; uid: string }
  ): boolean {
    const type = this.ctx.registry.findByApiVersionKind(ref.apiVersion, ref.kind)
    // Owners of kinds the simulator does not serve are assumed alive.
    if (!type) return true
    const owner = this.store.peek(
      type.storageKey,
      type.namespaced ? dependent.metadata.namespace : undefined,
      ref.name
    )
    return owner?.metadata.uid === ref.uid
  }

  private collectOrphans(): void {
    // Repeat within the tick so a chain (Deployment -> ReplicaSet -> Pod) goes at once.
    for (let pass = 0; pass < 3; pass++) {
      let collected = false
      for (const type of this.namespacedStorage) {
        for (const object of this.store.peekAll(type.storageKey)) {
          const refs = object.metadata.ownerReferences ?? []
          if (refs.length === 0) continue
          if (refs.some((ref) => this.ownerExists(object, ref))) continue
          this.ctx.ops.delete(type, object.metadata.namespace, object.metadata.name!)
          collected = true
        }
      }
      if (!collected) return
    }
  }

  private finalizeNamespaces(): void {
    for (const ns of this.store.peekAll('core/namespaces')) {
      if (!ns.metadata.deletionTimestamp) continue
      const name = ns.metadata.name!
      for (const type of this.namespacedStorage) {
        for (const object of this.store.peekAll(type.storageKey, name)) {
          this.store.remove(type.storageKey, name, object.metadata.name!)
        }
      }
      this.store.remove('core/namespaces', undefined, name)
    }
  }
}
