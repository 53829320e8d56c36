/* eslint-disable @typescript-eslint/no-explicit-any -- raw Application JSON, written field by field */
import * as k8s from '@kubernetes/client-node'

/**
 * Plays Argo CD's application controller for one Application, against any API server (the
 * simulator or the real control plane), the way the controller writes it: `status` with an
 * ordinary update of the whole object (GET, then PUT with its resourceVersion), since the
 * upstream CRD has no status subresource. It notices the refresh annotation and removes it,
 * as the controller does, and applies a commit through a callback (the test's stand-in for
 * Argo CD's kubectl apply).
 *
 * The sequences are what the controller writes (argo-cd controller/appcontroller.go, sync.go):
 *   refresh -> OutOfSync at the new revision -> operationState Running (operation.sync.revision)
 *   -> apply -> Succeeded (syncResult.revision, resources) with Synced, Progressing
 *   -> Healthy, or Degraded (the Deployment's progress deadline), or a Failed operation.
 */
export interface ArgoCdPlayerOptions {
  kubeConfig: k8s.KubeConfig
  namespace: string
  name: string
  /** The manifests repository's URL on the Application's source. */
  repoURL?: string
  path?: string
  selfHeal?: boolean
}

const GROUP = { group: 'argoproj.io', version: 'v1alpha1', plural: 'applications' }
export const REFRESH_ANNOTATION = 'argocd.argoproj.io/refresh'

export class ArgoCdPlayer {
  private readonly custom: k8s.CustomObjectsApi
  private readonly apps: k8s.AppsV1Api
  /** Clock time the refresh annotation was first seen by refreshRequested(). */
  refreshSeenAt: number | undefined
  /** When each health status was last stored (the update answered), e.g. for latency figures. */
  readonly healthWrittenAt = new Map<string, number>()

  constructor(private readonly options: ArgoCdPlayerOptions) {
    this.custom = options.kubeConfig.makeApiClient(k8s.CustomObjectsApi)
    this.apps = options.kubeConfig.makeApiClient(k8s.AppsV1Api)
  }

  private get where() {
    return { ...GROUP, namespace: this.options.namespace, name: this.options.name }
  }

  /** Creates the Application, Synced and Healthy at `revision`, as after an earlier sync. */
  async create(revision: string, destinationNamespace: string): Promise<void> {
    const body = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: this.options.name, namespace: this.options.namespace },
      spec: {
        project: 'default',
        destination: { server: 'https://kubernetes.default.svc', namespace: destinationNamespace },
        source: {
          repoURL: this.options.repoURL ?? 'https://github.com/acme/manifests.git',
          path: this.options.path ?? 'environments/staging',
          targetRevision: 'main'
        },
        syncPolicy: { automated: { prune: true, selfHeal: this.options.selfHeal ?? true } }
      }
    }
    await this.custom.createNamespacedCustomObject({ ...GROUP, namespace: this.options.namespace, body })
    await this.status(() => ({
      sync: { status: 'Synced', revision },
      health: { status: 'Healthy' },
      operationState: succeededOperation(revision, new Date(Date.now() - 60_000), []),
      reconciledAt: now()
    }))
  }

  async get(): Promise<any> {
    return this.custom.getNamespacedCustomObject(this.where)
  }

  /** An ordinary update of the whole object: the status (and metadata) as `change` makes them. */
  async update(change: (app: any) => void): Promise<any> {
    for (let attempt = 0; ; attempt++) {
      const app = await this.get()
      change(app)
      try {
        return await this.custom.replaceNamespacedCustomObject({ ...this.where, body: app })
      } catch (error) {
        // 409: someone (the action's refresh patch) wrote meanwhile; read again, as a controller does.
        if ((error as { code?: number }).code !== 409 || attempt > 10) throw error
      }
    }
  }

  /** Replaces fields of `status` with what `next(status)` returns. */
  async status(next: (status: any) => object): Promise<void> {
    await this.update((app) => {
      app.status = { ...(app.status ?? {}), ...next(app.status ?? {}) }
    })
  }

  /** Waits for the refresh annotation (polling: this plays the controller, not the action) and removes it. */
  async refreshRequested(timeoutMs = 10_000): Promise<number> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const app = await this.get()
      if (app.metadata?.annotations?.[REFRESH_ANNOTATION]) {
        this.refreshSeenAt = Date.now()
        await this.update((a) => {
          delete a.metadata.annotations[REFRESH_ANNOTATION]
          a.status = { ...(a.status ?? {}), reconciledAt: now() }
        })
        return this.refreshSeenAt
      }
      if (Date.now() > deadline) throw new Error(`no refresh of ${this.options.name} was requested`)
      await sleep(5)
    }
  }

  async outOfSync(revision: string): Promise<void> {
    await this.status(() => ({ sync: { status: 'OutOfSync', revision }, reconciledAt: now() }))
  }

  async operationRunning(revision: string): Promise<void> {
    await this.status(() => ({
      operationState: {
        operation: { sync: { revision }, initiatedBy: { automated: true } },
        phase: 'Running',
        message: 'one or more tasks are running',
        startedAt: now()
      }
    }))
  }

  async operationSucceeded(revision: string, resources: ApplicationResource[]): Promise<void> {
    await this.status((status) => ({
      sync: { status: 'Synced', revision },
      health: { status: 'Progressing', message: 'Waiting for rollout to finish' },
      operationState: succeededOperation(
        revision,
        new Date(status.operationState?.startedAt ?? Date.now()),
        resources
      ),
      resources: resources.map((r) => ({ ...r, status: 'Synced', health: { status: 'Progressing' } })),
      reconciledAt: now()
    }))
  }

  async operationFailed(revision: string, message: string, resources: ApplicationResource[]): Promise<void> {
    await this.status((status) => ({
      sync: { status: 'OutOfSync', revision },
      operationState: {
        operation: { sync: { revision } },
        phase: 'Failed',
        message,
        startedAt: status.operationState?.startedAt ?? now(),
        finishedAt: now(),
        syncResult: {
          revision,
          resources: resources.map((r) => ({
            ...r,
            group: r.group ?? 'apps',
            version: 'v1',
            status: 'SyncFailed',
            message
          }))
        }
      }
    }))
  }

  async health(health: string, message?: string, resources: ApplicationResource[] = []): Promise<void> {
    await this.status(() => ({
      health: { status: health, ...(message ? { message } : {}) },
      resources: resources.map((r) => ({
        ...r,
        status: 'Synced',
        health: { status: health, ...(message ? { message } : {}) }
      }))
    }))
    this.healthWrittenAt.set(health, Date.now())
  }

  /**
   * The whole sequence for one commit, started by the action's refresh request: OutOfSync,
   * operation Running, `apply()`, Succeeded with Progressing, then Healthy once the Deployment
   * rolled out or Degraded once it exceeded its progress deadline (Argo CD's Deployment health).
   * With `failOperation`, the apply fails instead and the operation ends Failed with that message.
   */
  async playSync(
    revision: string,
    options: {
      apply: () => Promise<void>
      deployment: { namespace: string; name: string }
      failOperation?: string
      timeoutMs?: number
    }
  ): Promise<'Healthy' | 'Degraded' | 'Failed'> {
    await this.refreshRequested(options.timeoutMs)
    const resource: ApplicationResource = { kind: 'Deployment', group: 'apps', ...options.deployment }
    await this.outOfSync(revision)
    await this.operationRunning(revision)
    if (options.failOperation) {
      await this.operationFailed(revision, options.failOperation, [resource])
      return 'Failed'
    }
    await options.apply()
    await this.operationSucceeded(revision, [resource])
    const verdict = await this.deploymentHealth(options.deployment, options.timeoutMs ?? 30_000)
    await this.health(verdict.status, verdict.message, [resource])
    return verdict.status
  }

  /**
   * Plays the controller until `signal` aborts: each refresh request syncs the branch's head
   * at that moment (`head()`), applying it with `apply(revision)`, then reports the Deployment's
   * health as it goes. Resolves with the revisions it synced, in order.
   */
  async follow(options: {
    head: () => Promise<string> | string
    apply: (revision: string) => Promise<void>
    deployment: { namespace: string; name: string }
    signal: AbortSignal
    healthTimeoutMs?: number
  }): Promise<string[]> {
    const synced: string[] = []
    const resource: ApplicationResource = { kind: 'Deployment', group: 'apps', ...options.deployment }
    while (!options.signal.aborted) {
      try {
        await this.refreshRequested(500)
      } catch {
        continue
      }
      const revision = await options.head()
      synced.push(revision)
      await this.outOfSync(revision)
      await this.operationRunning(revision)
      await options.apply(revision)
      await this.operationSucceeded(revision, [resource])
      try {
        const verdict = await this.deploymentHealth(options.deployment, options.healthTimeoutMs ?? 5000)
        await this.health(verdict.status, verdict.message, [resource])
      } catch {
        // Still Progressing: the next refresh (a revert) takes over, as a new sync would.
      }
    }
    return synced
  }

  /** Argo CD's health of a Deployment (gitops-engine pkg/health), once it is Healthy or Degraded. */
  async deploymentHealth(
    deployment: { namespace: string; name: string },
    timeoutMs: number
  ): Promise<{ status: 'Healthy' | 'Degraded'; message?: string }> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const d = await this.apps.readNamespacedDeployment(deployment)
      const status = d.status ?? {}
      const progressing = status.conditions?.find((c) => c.type === 'Progressing')
      if (progressing?.reason === 'ProgressDeadlineExceeded')
        return {
          status: 'Degraded',
          message: `Deployment "${deployment.name}" exceeded its progress deadline`
        }
      const replicas = d.spec?.replicas ?? 1
      if (
        (status.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
        (status.updatedReplicas ?? 0) >= replicas &&
        (status.availableReplicas ?? 0) >= replicas &&
        (status.replicas ?? 0) <= replicas
      )
        return { status: 'Healthy' }
      if (Date.now() > deadline)
        throw new Error(`deployment ${deployment.name} neither rolled out nor failed`)
      await sleep(10)
    }
  }
}

export interface ApplicationResource {
  kind: string
  name: string
  namespace: string
  group?: string
}

function succeededOperation(revision: string, startedAt: Date, resources: ApplicationResource[]): object {
  return {
    operation: { sync: { revision } },
    phase: 'Succeeded',
    message: 'successfully synced (all tasks run)',
    startedAt: startedAt.toISOString().replace(/\.\d+Z$/, 'Z'),
    finishedAt: now(),
    syncResult: {
      revision,
      resources: resources.map((r) => ({
        ...r,
        group: r.group ?? 'apps',
        version: 'v1',
        status: 'Synced',
        message: `${r.kind.toLowerCase()}.${r.group ?? 'apps'}/${r.name} configured`,
        syncPhase: 'Sync'
      }))
    }
  }
}

/** RFC 3339 in whole seconds, as Argo CD writes its times. */
function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z')
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
