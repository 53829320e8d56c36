import type { GitOpsSyncConfig } from '../../config/schema.js'
import { RESOURCE_TYPES, type ResourceType } from '../../kubernetes/api/resource-types.js'
import { evaluateArgoApplication, type ArgoApplication } from './argocd-status.js'
import { evaluateFluxObject, type FluxObject } from './flux-status.js'
import type { SyncExpectation, SyncVerdict } from './sync-verdict.js'

/** Argo CD's on-demand refresh: the controller refreshes the Application and removes the annotation. */
export const ARGOCD_REFRESH_ANNOTATION = 'argocd.argoproj.io/refresh'
/** Flux's on-demand reconciliation: any new value; echoed in status.lastHandledReconcileAt once handled. */
export const FLUX_RECONCILE_ANNOTATION = 'reconcile.fluxcd.io/requestedAt'

/** The one object of the environment's GitOps engine a promotion waits for, and how to judge it. */
export interface SyncEngine {
  engine: 'argocd' | 'flux'
  type: ResourceType
  namespace: string
  name: string
  /** The environment's cluster that holds it; undefined = the first. */
  cluster: string | undefined
  /** `Argo CD Application argocd/web`, `Flux Kustomization flux-system/apps` */
  label: string
  evaluate(object: Record<string, unknown>, expect: SyncExpectation): SyncVerdict
  /** The merge patch that asks for an immediate refresh, with the value it sets. */
  refreshRequest(now: number): { patch: object; token: string }
}

export function syncEngineFor(config: GitOpsSyncConfig): SyncEngine {
  if (config.argocd) {
    const { application, namespace, cluster } = config.argocd
    return {
      engine: 'argocd',
      type: RESOURCE_TYPES.ArgoApplication,
      namespace,
      name: application,
      cluster,
      label: `Argo CD Application ${namespace}/${application}`,
      evaluate: (object, expect) => evaluateArgoApplication(object as ArgoApplication, expect),
      // `normal` re-reads Git and compares; `hard` also drops the manifest cache, which a new commit does not need.
      refreshRequest: () => ({
        patch: { metadata: { annotations: { [ARGOCD_REFRESH_ANNOTATION]: 'normal' } } },
        token: 'normal'
      })
    }
  }
  if (!config.flux) throw new Error('gitops.sync names neither argocd nor flux')
  const { kind, name, namespace, cluster } = config.flux
  return {
    engine: 'flux',
    type: kind === 'HelmRelease' ? RESOURCE_TYPES.FluxHelmRelease : RESOURCE_TYPES.FluxKustomization,
    namespace,
    name,
    cluster,
    label: `Flux ${kind} ${namespace}/${name}`,
    evaluate: (object, expect) => evaluateFluxObject(kind, object as FluxObject, expect),
    refreshRequest: (now) => {
      // What `flux reconcile` writes: the time, RFC 3339 with fractions, so each request is a new value.
      const token = new Date(now).toISOString()
      return { patch: { metadata: { annotations: { [FLUX_RECONCILE_ANNOTATION]: token } } }, token }
    }
  }
}
