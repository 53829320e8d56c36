import { z } from 'zod'
import { duration } from '../config/duration.js'
import { readDeploymentHistory } from '../github/deployment-history.js'
import { defineGate, type GateContext } from './gate-context.js'
import type { Evidence } from './gate-definition.js'
import { holderRunId, lockName, lockScopes } from '../targets/lock-identity.js'
import { describePurpose, lockHolding } from '../targets/lock-holding.js'

export { lockName }

export const concurrencySettings = z.strictObject({
  'stale-after': duration
    .prefault('2h')
    .describe(
      'A deployment still queued or in progress after this long is taken as abandoned (a dead run) and only warned about.'
    ),
  'look-back': z
    .int()
    .min(1)
    .max(100)
    .default(10)
    .describe('How many recent deployments of the environment to inspect.'),
  lease: z
    .strictObject({
      enabled: z
        .boolean()
        .default(true)
        .describe('Also check the environment lock (a Lease) when cluster credentials are available.'),
      name: z
        .string()
        .min(1)
        .optional()
        .describe('The Lease name. Default: the one the promote stage takes, promote-action.<environment>.'),
      namespace: z
        .string()
        .min(1)
        .optional()
        .describe(
          "The Lease's namespace. Default: every namespace the environment's targets are in, as the promote stage locks them."
        )
    })
    .prefault({})
    .describe('The environment lock the promote stage holds while it promotes: a coordination.k8s.io Lease.')
})

const ACTIVE = new Set(['queued', 'in_progress', 'pending'])

/**
 * No other promotion into the target environment is under way: no GitHub Deployment queued or
 * in progress (other than this run's own), and nobody holds the environment's Lease. Reports
 * pending rather than failed, so gate-policy.pending: wait waits for the other promotion.
 */
export const concurrency = defineGate({
  name: 'concurrency',
  description:
    "No promotion in progress for the target environment: no GitHub Deployment queued or in progress there (this run's own excluded, abandoned ones older than stale-after only warned about), and, when cluster credentials are configured, nobody holds the environment's Lease. Reports pending, so gate-policy.pending: wait waits for it.",
  settings: concurrencySettings,
  async run(settings, context) {
    const environment = context.environment.name
    const now = context.clock.now()
    const history = await readDeploymentHistory(context.github.octokit, context.github, environment, {
      limit: settings['look-back']
    })
    const busy: Evidence[] = []
    const warnings: string[] = []
    // Newer than stale-after only: their states are all we need to read.
    const recent = history.deployments.filter((d) => now - Date.parse(d.createdAt) < settings['stale-after'])
    const states = await Promise.all(
      recent.map(async (d) => ({ deployment: d, info: await history.state(d.id) }))
    )
    for (const { deployment, info } of states) {
      if (!ACTIVE.has(info.state ?? '')) continue
      if (isOwnRun(info.logUrl, context)) continue
      busy.push({
        label: `deployment ${deployment.id} of ${deployment.sha.slice(0, 7)}`,
        value: `${info.state} since ${info.updatedAt ?? deployment.createdAt}`,
        ...(info.logUrl ? { url: info.logUrl } : {})
      })
    }
    const older = history.deployments.length - recent.length
    if (older > 0 && busy.length === 0) {
      const newestOld = history.deployments[recent.length]
      if (newestOld) {
        const info = await history.state(newestOld.id)
        if (ACTIVE.has(info.state ?? '') && !isOwnRun(info.logUrl, context))
          warnings.push(
            `deployment ${newestOld.id} of ${environment} has been ${info.state} since ${newestOld.createdAt}, longer than stale-after; taken as abandoned (mark it inactive or error to silence this)`
          )
      }
    }

    const lease = settings.lease.enabled ? await readLease(settings.lease, context) : undefined
    if (lease?.evidence) busy.push(lease.evidence)

    if (busy.length > 0)
      return {
        status: 'pending',
        summary: `${lease?.rotation && busy.length === 1 ? `a secret rotation of ${environment} holds its lock` : `another promotion into ${environment} is under way`}: ${busy.map((b) => `${b.label} (${b.value})`).join('; ')}`,
        evidence: busy,
        ...(warnings.length ? { warnings } : {})
      }
    const checked = [
      `${recent.length} recent deployment(s)`,
      ...(lease && !lease.checked.startsWith('not checked') ? [lease.checked] : [])
    ]
    return {
      status: 'passed',
      summary: `no other promotion into ${environment} is under way (checked ${checked.join(' and ')})`,
      evidence: [
        { label: 'deployments inspected', value: history.deployments.length },
        ...(lease?.checked ? [{ label: 'lease', value: lease.checked }] : [])
      ],
      ...(warnings.length ? { warnings } : {})
    }
  }
})

/** GitHub's own deployment for a job with `environment:` and the promote stage's both log to this run. */
function isOwnRun(logUrl: string | undefined, context: GateContext): boolean {
  return Boolean(
    logUrl && context.workflow.runId && logUrl.includes(`/actions/runs/${context.workflow.runId}`)
  )
}

async function readLease(
  settings: { name?: string | undefined; namespace?: string | undefined },
  context: GateContext
): Promise<{ evidence?: Evidence; rotation?: boolean; checked: string } | undefined> {
  const environment = context.environment
  if (environment.mode !== 'kubernetes' || !environment.lock.enabled) return undefined
  if (!context.kubernetesConfigured) return { checked: 'not checked: no cluster credentials are configured' }
  const name = settings.name ?? lockName(environment.name)
  const clusters = await (await context.kubernetes()).clusters(environment)
  const now = context.clock.now()
  const checked: string[] = []
  // Where the promote stage locks (every namespace its targets are in, per cluster), unless configured.
  const scopes = settings.namespace
    ? clusters.map((cluster) => ({ cluster, namespace: settings.namespace! }))
    : lockScopes(clusters, environment.targets)
  for (const { cluster, namespace } of scopes) {
    checked.push(`${cluster.name}/${namespace}/${name}`)
    const holding = lockHolding(await cluster.api.getLease(namespace, name), context.workflow.serverUrl)
    // A one-off read cannot observe the lease changing, so remote renewTime is all there is.
    if (!holding || holding.until === undefined || holding.until <= now) continue
    if (context.workflow.runId && holderRunId(holding.holder) === context.workflow.runId) continue
    return {
      evidence: {
        label: `lease ${namespace}/${name} in ${cluster.name}`,
        value: `held by ${holding.holder}${describePurpose(holding)} until ${new Date(holding.until).toISOString()}`,
        ...(holding.url ? { url: holding.url } : {})
      },
      rotation: holding.purpose === 'rotation',
      checked: checked.join(', ')
    }
  }
  return { checked: `lease ${checked.join(', ') || '(no namespace)'}` }
}
