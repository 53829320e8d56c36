import {
  applicationLookup,
  gitOpsManagement,
  type GitOpsManagement
} from '../../gitops/sync/gitops-management.js'
import { OperationalError } from '../../runtime/errors.js'
import { targetKey } from '../../targets/expand-target.js'
import type { PromotionRun } from '../promotion-run.js'

/**
 * Kubernetes mode on a workload that Argo CD or Flux applies from Git: the patch would be
 * reverted (Argo CD's selfHeal within seconds, Flux at its next reconciliation), and the
 * promotion would report a success that does not last. Checked before any patch, dry run
 * included; `rollout.gitops-managed: warn` patches anyway, with a warning per target.
 */
export async function refuseGitOpsManagedTargets(run: PromotionRun): Promise<void> {
  const policy = run.environment.rollout['gitops-managed']
  const lookups = new Map<string, ReturnType<typeof applicationLookup>>()
  const found = await Promise.all(
    (run.plans ?? [])
      .filter((p) => p.plan.status === 'patch')
      .map(async (p) => {
        let lookup = lookups.get(p.cluster.name)
        if (!lookup) lookups.set(p.cluster.name, (lookup = applicationLookup(p.cluster.api)))
        const management = await gitOpsManagement(p.metadata, lookup)
        return management ? { key: targetKey(p), management } : undefined
      })
  )
  const managed = found.filter((m): m is { key: string; management: GitOpsManagement } => m !== undefined)
  const reverting = managed.filter((m) => m.management.reverts)
  for (const { key, management } of managed)
    if (!management.reverts || policy === 'warn')
      run.logger.warning(
        `${key} is managed by ${management.owner} (${management.evidence}): ${
          management.reverts
            ? 'the patch will be reverted by it'
            : 'it will report OutOfSync and revert the patch at its next sync'
        }. ${suggestion(management)}`
      )
  if (reverting.length === 0 || policy === 'warn') return
  const lines = reverting.map(
    ({ key, management }) => `${key}: managed by ${management.owner} (${management.evidence})`
  )
  throw new OperationalError(
    `${reverting.length === 1 ? 'A target is' : `${reverting.length} targets are`} applied from Git by a GitOps engine that would revert the patch, so nothing was changed:\n  ${lines.join('\n  ')}\n${suggestion(reverting[0]!.management)} Or set rollout.gitops-managed: warn to patch anyway.`,
    { title: 'Target managed by GitOps' }
  )
}

function suggestion(management: GitOpsManagement): string {
  const sync =
    management.engine === 'argocd'
      ? `gitops.sync.argocd: { application: ${management.name}, namespace: ${management.namespace} }`
      : `gitops.sync.flux: { name: ${management.name}, namespace: ${management.namespace} }`
  return `Promote through Git instead: mode: gitops, with ${sync}.`
}
