/* eslint-disable @typescript-eslint/no-explicit-any -- raw Kustomization JSON, written field by field */
import * as k8s from '@kubernetes/client-node'

/**
 * Plays Flux's kustomize-controller for one Kustomization, against any API server: `status`
 * through the status subresource (the Flux CRDs have one), conditions in kstatus form (Ready,
 * Reconciling, Stalled), revisions written `<branch>@sha1:<commit>`. It notices the
 * `reconcile.fluxcd.io/requestedAt` annotation and echoes it in `status.lastHandledReconcileAt`.
 *
 * The sequence (kustomize-controller internal/controller/kustomization_controller.go):
 *   Reconciling=True / Ready=Unknown (Progressing) with lastAttemptedRevision = the new one
 *   -> apply -> health checks -> Ready=True (ReconciliationSucceeded) and lastAppliedRevision,
 *   or Ready=False (HealthCheckFailed / BuildFailed), lastAppliedRevision unchanged.
 */
export interface FluxPlayerOptions {
  kubeConfig: k8s.KubeConfig
  namespace: string
  name: string
  branch?: string
}

const GROUP = { group: 'kustomize.toolkit.fluxcd.io', version: 'v1', plural: 'kustomizations' }
export const RECONCILE_ANNOTATION = 'reconcile.fluxcd.io/requestedAt'

export class FluxPlayer {
  private readonly custom: k8s.CustomObjectsApi

  constructor(private readonly options: FluxPlayerOptions) {
    this.custom = options.kubeConfig.makeApiClient(k8s.CustomObjectsApi)
  }

  private get where() {
    return { ...GROUP, namespace: this.options.namespace, name: this.options.name }
  }

  revision(commit: string): string {
    return `${this.options.branch ?? 'main'}@sha1:${commit}`
  }

  /** Creates the Kustomization, Ready at `commit`. */
  async create(commit: string): Promise<void> {
    await this.custom.createNamespacedCustomObject({
      ...GROUP,
      namespace: this.options.namespace,
      body: {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        metadata: { name: this.options.name, namespace: this.options.namespace },
        spec: {
          interval: '10m',
          path: './environments/staging',
          prune: true,
          sourceRef: { kind: 'GitRepository', name: 'manifests' }
        }
      }
    })
    await this.ready(commit)
  }

  async get(): Promise<any> {
    return this.custom.getNamespacedCustomObject(this.where)
  }

  /** A write of the status subresource: the fields `next(status, object)` returns replace the old ones. */
  async status(next: (status: any, object: any) => object): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const object = await this.get()
      object.status = { ...(object.status ?? {}), ...next(object.status ?? {}, object) }
      try {
        await this.custom.replaceNamespacedCustomObjectStatus({ ...this.where, body: object })
        return
      } catch (error) {
        if ((error as { code?: number }).code !== 409 || attempt > 10) throw error
      }
    }
  }

  /** Waits for a reconcile request (polling: this plays the controller) and returns its value. */
  async reconcileRequested(timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const object = await this.get()
      const requested = object.metadata?.annotations?.[RECONCILE_ANNOTATION]
      if (requested && requested !== object.status?.lastHandledReconcileAt) return requested
      if (Date.now() > deadline) throw new Error(`no reconcile of ${this.options.name} was requested`)
      await sleep(5)
    }
  }

  async progressing(commit: string, handled: string): Promise<void> {
    await this.status((status, object) => ({
      lastAttemptedRevision: this.revision(commit),
      lastHandledReconcileAt: handled,
      conditions: [
        condition('Reconciling', 'True', 'Progressing', `Reconciliation in progress`, object),
        condition('Ready', 'Unknown', 'Progressing', 'Reconciliation in progress', object),
        ...(status.conditions ?? []).filter((c: any) => c.type !== 'Ready' && c.type !== 'Reconciling')
      ]
    }))
  }

  async ready(commit: string): Promise<void> {
    await this.status((_, object) => ({
      observedGeneration: object.metadata.generation,
      lastAppliedRevision: this.revision(commit),
      lastAttemptedRevision: this.revision(commit),
      conditions: [
        condition(
          'Ready',
          'True',
          'ReconciliationSucceeded',
          `Applied revision: ${this.revision(commit)}`,
          object
        )
      ]
    }))
  }

  async notReady(commit: string, reason: string, message: string): Promise<void> {
    await this.status((_, object) => ({
      observedGeneration: object.metadata.generation,
      lastAttemptedRevision: this.revision(commit),
      conditions: [condition('Ready', 'False', reason, message, object)]
    }))
  }

  /** The whole sequence for one commit, started by the action's reconcile request. */
  async playReconcile(
    commit: string,
    options: { apply: () => Promise<void>; fail?: { reason: string; message: string }; timeoutMs?: number }
  ): Promise<'Ready' | 'NotReady'> {
    const handled = await this.reconcileRequested(options.timeoutMs)
    await this.progressing(commit, handled)
    if (options.fail) {
      await this.notReady(commit, options.fail.reason, options.fail.message)
      return 'NotReady'
    }
    await options.apply()
    await this.ready(commit)
    return 'Ready'
  }
}

function condition(type: string, status: string, reason: string, message: string, object: any): object {
  return {
    type,
    status,
    reason,
    message,
    observedGeneration: object.metadata.generation,
    lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z')
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
