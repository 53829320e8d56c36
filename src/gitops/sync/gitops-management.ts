import { isNotFound } from '../../kubernetes/api/api-error.js'
import type { WorkloadApi } from '../../kubernetes/api/kubernetes-api.js'
import { RESOURCE_TYPES } from '../../kubernetes/api/resource-types.js'
import { selfHeals, type ArgoApplication } from './argocd-status.js'

/** Argo CD's annotation tracking (the default since 3.0): `<app>:<group>/<kind>:<namespace>/<name>`. */
export const ARGOCD_TRACKING_ANNOTATION = 'argocd.argoproj.io/tracking-id'
/** Argo CD's label tracking; also what many Helm charts set to the release name. */
export const ARGOCD_INSTANCE_LABEL = 'app.kubernetes.io/instance'
export const FLUX_KUSTOMIZATION_LABELS = {
  name: 'kustomize.toolkit.fluxcd.io/name',
  namespace: 'kustomize.toolkit.fluxcd.io/namespace'
}
export const FLUX_HELMRELEASE_LABELS = {
  name: 'helm.toolkit.fluxcd.io/name',
  namespace: 'helm.toolkit.fluxcd.io/namespace'
}
const ARGOCD_NAMESPACE = 'argocd'

/** Who applies a workload from Git, and whether a patch made outside Git would be undone. */
export interface GitOpsManagement {
  engine: 'argocd' | 'flux'
  /** `Argo CD Application argocd/web` */
  owner: string
  /** The Application's (or Flux object's) name, for the `gitops.sync` the message suggests. */
  name: string
  namespace: string
  /** The engine reverts a patch (selfHeal, or Flux's reconciliation); false: it reports drift and reverts at its next sync. */
  reverts: boolean
  /** Why we think so, in a sentence. */
  evidence: string
}

type ApplicationLookup = (
  namespace: string,
  name: string
) => Promise<ArgoApplication | 'absent' | 'unreadable'>

/**
 * Reads each Application once per cluster (a wave of targets from one Application costs one
 * GET). 404 is "absent"; any other failure (403 for a token that may not read Applications)
 * "unreadable".
 */
export function applicationLookup(api: WorkloadApi): ApplicationLookup {
  const cache = new Map<string, Promise<ArgoApplication | 'absent' | 'unreadable'>>()
  return (namespace, name) => {
    const key = `${namespace}/${name}`
    let found = cache.get(key)
    if (!found) {
      found = api
        .getResource<ArgoApplication>(RESOURCE_TYPES.ArgoApplication, namespace, name)
        .catch((error: unknown) => (isNotFound(error) ? 'absent' : 'unreadable'))
      cache.set(key, found)
    }
    return found
  }
}

/**
 * Whether Argo CD or Flux manages the workload with these labels and annotations:
 * - Flux: the labels kustomize-controller / helm-controller put on what they apply. Both
 *   re-apply Git on every interval, so a patch is reverted.
 * - Argo CD: the tracking annotation (its Application, with apps-in-any-namespace written
 *   `<namespace>_<name>`), or the instance label when it names an Application that exists (the
 *   label alone is also Helm's release label). The Application is read for `selfHeal`: with it a
 *   patch is reverted within seconds; without, Argo CD reports OutOfSync and reverts at its next
 *   sync. An Application that cannot be read (another cluster runs Argo CD, or no RBAC) behind a
 *   tracking annotation is assumed to self-heal.
 */
export async function gitOpsManagement(
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string> },
  lookup: ApplicationLookup
): Promise<GitOpsManagement | undefined> {
  const labels = metadata.labels ?? {}
  const annotations = metadata.annotations ?? {}
  for (const [kind, keys] of [
    ['Kustomization', FLUX_KUSTOMIZATION_LABELS],
    ['HelmRelease', FLUX_HELMRELEASE_LABELS]
  ] as const) {
    const name = labels[keys.name]
    if (!name) continue
    const namespace = labels[keys.namespace] ?? 'flux-system'
    return {
      engine: 'flux',
      owner: `Flux ${kind} ${namespace}/${name}`,
      name,
      namespace,
      reverts: true,
      evidence: `the label ${keys.name}=${name}`
    }
  }
  const tracking = annotations[ARGOCD_TRACKING_ANNOTATION]
  if (tracking) {
    const { namespace, name } = applicationOf(tracking)
    const app = await lookup(namespace, name)
    const owner = `Argo CD Application ${namespace}/${name}`
    const evidence = `the annotation ${ARGOCD_TRACKING_ANNOTATION}=${tracking}`
    if (typeof app === 'string')
      return {
        engine: 'argocd',
        owner,
        name,
        namespace,
        reverts: true,
        evidence: `${evidence} (the Application could not be read here to check selfHeal: ${app === 'absent' ? 'not in this cluster' : 'no access'}; assuming it self-heals)`
      }
    return argoManagement(owner, name, namespace, app, evidence)
  }
  const instance = labels[ARGOCD_INSTANCE_LABEL]
  if (instance) {
    const app = await lookup(ARGOCD_NAMESPACE, instance)
    if (typeof app !== 'string')
      return argoManagement(
        `Argo CD Application ${ARGOCD_NAMESPACE}/${instance}`,
        instance,
        ARGOCD_NAMESPACE,
        app,
        `the label ${ARGOCD_INSTANCE_LABEL}=${instance}, which names an existing Application`
      )
  }
  return undefined
}

function argoManagement(
  owner: string,
  name: string,
  namespace: string,
  app: ArgoApplication,
  evidence: string
): GitOpsManagement {
  const heals = selfHeals(app)
  return {
    engine: 'argocd',
    owner,
    name,
    namespace,
    reverts: heals,
    evidence: `${evidence}; ${heals ? 'syncPolicy.automated.selfHeal: true' : 'no selfHeal'}`
  }
}

/** `web:apps/Deployment:shop/api` -> argocd/web; `team-a_web:...` -> team-a/web (apps in any namespace). */
function applicationOf(tracking: string): { namespace: string; name: string } {
  const app = tracking.split(':')[0] ?? tracking
  const underscore = app.indexOf('_')
  return underscore > 0
    ? { namespace: app.slice(0, underscore), name: app.slice(underscore + 1) }
    : { namespace: ARGOCD_NAMESPACE, name: app }
}
