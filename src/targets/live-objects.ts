import { isNotFound } from '../kubernetes/api/api-error.js'
import type { WorkloadApi } from '../kubernetes/api/kubernetes-api.js'
import type { KnownResource } from '../kubernetes/api/resource-types.js'

/**
 * Lists of live objects shared by everything that inspects environments in one run (the
 * environment-check gates, the check stage): each kind is listed once per cluster, namespace
 * and label selector, however many workloads, gates or environment pairs read it, and a
 * second reader of the same list awaits the first one's request. `forget()` starts a new
 * snapshot (the gate stage calls it before re-running pending gates).
 *
 * Clusters are told apart by their API object: the ClusterConnector gives two environments
 * that name the same cluster the same one, so they share lists too.
 *
 * Secrets are kept with their values blanked the moment they arrive: the checks need key
 * names only, and a value that is not held cannot be printed.
 */
export class LiveObjects {
  private lists = new WeakMap<WorkloadApi, Map<string, Promise<Listed>>>()
  private objects = new WeakMap<WorkloadApi, Map<string, Promise<unknown>>>()

  /** Every object of `kind` in `namespace` (matching `labelSelector`, when given). */
  async list<T>(
    api: WorkloadApi,
    kind: KnownResource,
    namespace: string | undefined,
    labelSelector?: string
  ): Promise<T[]> {
    const items = await this.read<T>(api, kind, namespace, labelSelector, false)
    return items ?? []
  }

  /**
   * Like `list`, but undefined when the API does not serve the kind at all (a custom resource
   * whose CRD is not installed answers 404 to a list).
   */
  listIfServed<T>(
    api: WorkloadApi,
    kind: KnownResource,
    namespace: string | undefined,
    labelSelector?: string
  ): Promise<T[] | undefined> {
    return this.read<T>(api, kind, namespace, labelSelector, true)
  }

  /** One object (a cluster-scoped Namespace, say), read once; undefined when it does not exist. */
  get<T>(
    api: WorkloadApi,
    kind: KnownResource,
    namespace: string | undefined,
    name: string
  ): Promise<T | undefined> {
    let byKey = this.objects.get(api)
    if (!byKey) this.objects.set(api, (byKey = new Map()))
    const key = `${kind}\u0000${namespace ?? ''}\u0000${name}`
    let pending = byKey.get(key)
    if (!pending) {
      const reading = api.getResource<unknown>(kind, namespace, name).then(
        (item) => (kind === 'Secret' ? withoutValues(item) : item),
        (error: unknown) => {
          if (isNotFound(error)) return undefined
          throw error
        }
      )
      pending = reading
      byKey.set(key, reading)
      reading.catch(() => {
        if (byKey.get(key) === reading) byKey.delete(key)
      })
    }
    return pending as Promise<T | undefined>
  }

  forget(): void {
    this.lists = new WeakMap()
    this.objects = new WeakMap()
  }

  private read<T>(
    api: WorkloadApi,
    kind: KnownResource,
    namespace: string | undefined,
    labelSelector: string | undefined,
    absentOn404: boolean
  ): Promise<T[] | undefined> {
    let byKey = this.lists.get(api)
    if (!byKey) this.lists.set(api, (byKey = new Map()))
    const key = `${kind}\u0000${namespace ?? ''}\u0000${labelSelector ?? ''}`
    let pending = byKey.get(key)
    if (!pending) {
      const reading = api
        .listResources<unknown>(kind, namespace, labelSelector ? { labelSelector } : {})
        .then(
          (list): Listed => ({ items: kind === 'Secret' ? list.items.map(withoutValues) : list.items }),
          (error: unknown): Listed => {
            if (isNotFound(error)) return { notServed: error }
            throw error
          }
        )
      pending = reading
      byKey.set(key, reading)
      // A failed list is not remembered: the next reader asks again.
      reading.catch(() => {
        if (byKey.get(key) === reading) byKey.delete(key)
      })
    }
    return pending.then((listed) => {
      if ('items' in listed) return listed.items as T[]
      if (absentOn404) return undefined
      throw listed.notServed
    })
  }
}

type Listed = { items: unknown[] } | { notServed: unknown }

function withoutValues(item: unknown): unknown {
  const secret = item as {
    metadata?: { name?: string; namespace?: string; labels?: Record<string, string> }
    type?: string
    data?: Record<string, string>
    stringData?: Record<string, string>
  }
  const blank = (values: Record<string, string> | undefined) =>
    values && Object.fromEntries(Object.keys(values).map((key) => [key, '']))
  // Only names survive: annotations go too, since kubectl apply's last-applied-configuration
  // annotation repeats the whole manifest, values included.
  return {
    metadata: {
      name: secret.metadata?.name,
      namespace: secret.metadata?.namespace,
      ...(secret.metadata?.labels ? { labels: secret.metadata.labels } : {})
    },
    ...(secret.type ? { type: secret.type } : {}),
    ...(secret.data ? { data: blank(secret.data) } : {}),
    ...(secret.stringData ? { stringData: blank(secret.stringData) } : {})
  }
}
