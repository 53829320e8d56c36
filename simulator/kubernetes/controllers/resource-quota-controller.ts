/**
 * The resource quota controller: keeps each ResourceQuota's status.hard equal to spec.hard and
 * recomputes status.used from what the namespace holds (admission charges usage at once; this
 * corrects it, for example when pods go away).
 */
import type { ResourceType } from '../api-resources.js'
import { deepEqual } from '../json-values.js'
import type { KubeObject } from '../kube-types.js'
import { computeQuotaUsed } from '../resource-quota.js'
import type { Controller, ControllerContext } from './controller-context.js'

const legacyNames: Record<string, string> = {
  configmaps: 'configmaps',
  secrets: 'secrets',
  resourcequotas: 'resourcequotas'
}

export class ResourceQuotaController implements Controller {
  constructor(private readonly ctx: ControllerContext) {}

  sync(): void {
    const { ops, types } = this.ctx
    for (const quota of ops.peekAll(types.resourcequotas)) {
      const namespace = quota.metadata.namespace!
      const hard = (quota['spec'] as { hard?: Record<string, string> } | undefined)?.hard ?? {}
      const used = computeQuotaUsed(quota, (resource) => this.objectsFor(resource, namespace))
      const status = { hard: { ...hard }, used }
      if (deepEqual(quota['status'], status)) continue
      ops.update(
        types.resourcequotas,
        namespace,
        quota.metadata.name!,
        { ...quota, status },
        { subresource: 'status' }
      )
    }
  }

  private objectsFor(
    resource: string,
    namespace: string
  ): Array<{ type: ResourceType; objects: readonly KubeObject[] }> {
    const { ops, types, registry } = this.ctx
    let type: ResourceType | undefined
    if (resource.startsWith('count/')) {
      const qualified = resource.slice('count/'.length)
      const dot = qualified.indexOf('.')
      type =
        dot < 0
          ? registry.findByGroupResource('', qualified)
          : registry.findByGroupResource(qualified.slice(dot + 1), qualified.slice(0, dot))
    } else if (legacyNames[resource]) {
      type = registry.findByGroupResource('', legacyNames[resource])
    } else if (/^(pods|(requests\.|limits\.)?(cpu|memory|ephemeral-storage))$/.test(resource)) {
      type = types.pods
    }
    if (!type || !type.namespaced) return []
    return [{ type, objects: ops.peekAll(type, namespace) }]
  }
}
