import type { ResolvedEnvironment } from '../../config/schema.js'
import { listCheckRunsForRef } from '../../github/check-runs.js'
import { compareCommits } from '../../github/commit-compare.js'
import type { DeploymentRecords } from '../../github/deployment-record.js'
import type { GitHubClients } from '../../github/run-clients.js'
import { OperationalError } from '../../runtime/errors.js'
import { checkRunNameFor } from '../../settings/gate-settings.js'
import { defineStep, skipped, succeeded } from '../promotion-step.js'
import type { PromotionRun } from '../promotion-run.js'

interface Refusal {
  title: string
  message: string
}

/**
 * Is this the right build to promote? Before anything is locked or changed:
 * - its promotion gates for this environment passed (the `promotion gates (<env>)` check run
 *   succeeded), unless they ran in this very step (stage: all) or require-gates is off;
 * - it did not fail in an environment it comes through (a failed rollout or verification is
 *   recorded on that environment's GitHub Deployment);
 * - it is not older than what the environment runs now (GitHub's compare API says `behind`),
 *   unless allow-downgrade: the action's own rollbacks never come this way.
 * Needs the github-token; without one nothing here can be checked, and it says so.
 */
export const provenanceStep = defineStep({
  name: 'provenance',
  needs: ['github'],
  async run(run) {
    const { settings, logger } = run
    const clients = settings.githubToken ? await run.github() : undefined
    if (!clients) {
      logger.warning(
        `No github-token: the gates, earlier failures and the commit order of ${settings.sha.slice(0, 7)} are not checked`
      )
      return skipped
    }
    const refusals = await logger.group(`Provenance of ${settings.sha.slice(0, 7)}`, async () => [
      ...(await gatesRefusal(run, clients)),
      ...(await failedUpstream(run, clients.deployments)),
      ...(await downgradeRefusal(run, clients))
    ])
    if (refusals.length === 0) return succeeded()
    const [first] = refusals as [Refusal]
    return {
      status: 'failed',
      error: new OperationalError(refusals.map((r) => r.message).join(' '), { title: first.title })
    }
  }
})

async function gatesRefusal(run: PromotionRun, clients: GitHubClients): Promise<Refusal[]> {
  const { settings, logger } = run
  const short = settings.sha.slice(0, 7)
  if (!settings.requireGates || run.environment.gates.length === 0) return []
  if (run.services.gatesPassed) {
    logger.info(`Gates: passed in this step`)
    return []
  }
  const name = checkRunNameFor(settings.environmentName)
  const runs = await listCheckRunsForRef(clients.octokit, clients, settings.sha, { checkName: name })
  const newest = runs.filter((r) => r.name === name).sort((a, b) => b.id - a.id)[0]
  if (newest?.conclusion === 'success') {
    logger.info(`Gates: "${name}" succeeded${newest.url ? ` (${newest.url})` : ''}`)
    return []
  }
  const state = newest
    ? `the check run "${name}" is ${newest.conclusion ?? newest.status}${newest.url ? ` (${newest.url})` : ''}`
    : `no check run "${name}" exists on ${short}`
  return [
    {
      title: 'Promotion gates not passed',
      message: `The promotion gates of ${settings.environmentName} have not passed for ${short}: ${state}. Run the gate stage for it first (uses: org/promote-action/gate@v1), or set require-gates: false.`
    }
  ]
}

/** The environments a promotion into `environment` comes through: its from:, that one's from:, ... */
function upstreamChain(run: PromotionRun): ResolvedEnvironment[] {
  const chain: ResolvedEnvironment[] = []
  let next = run.settings.upstream
  while (next && !chain.includes(next)) {
    chain.push(next)
    next = next.from ? run.settings.config.environments.get(next.from) : undefined
  }
  return chain
}

async function failedUpstream(run: PromotionRun, records: DeploymentRecords): Promise<Refusal[]> {
  const { settings } = run
  const short = settings.sha.slice(0, 7)
  const refusals: Refusal[] = []
  for (const environment of upstreamChain(run)) {
    const newest = (await records.list(environment.name, { sha: settings.sha, limit: 10 })).find((d) =>
      d.sha.toLowerCase().startsWith(settings.sha.toLowerCase())
    )
    if (newest?.state === 'failure')
      refusals.push({
        title: 'Build failed upstream',
        message: `${short} failed in ${environment.name} (GitHub Deployment ${newest.id}${newest.logUrl ? `, ${newest.logUrl}` : ''}): a build whose rollout or verification failed there is not promoted further.`
      })
  }
  return refusals
}

async function downgradeRefusal(run: PromotionRun, clients: GitHubClients): Promise<Refusal[]> {
  const { settings, logger } = run
  const short = settings.sha.slice(0, 7)
  const deployed = (await clients.deployments.list(settings.environmentName, { limit: 20 })).find(
    (d) => d.state === 'success'
  )
  if (!deployed || deployed.sha.toLowerCase().startsWith(settings.sha.toLowerCase())) return []
  const comparison = await compareCommits(clients.octokit, clients, deployed.sha, settings.sha)
  if (!comparison) {
    logger.info(`Order: GitHub does not know ${deployed.sha.slice(0, 7)} or ${short}; not compared`)
    return []
  }
  logger.info(
    `Order: ${short} is ${comparison.status} of ${deployed.sha.slice(0, 7)}, which ${settings.environmentName} runs (GitHub Deployment ${deployed.id})`
  )
  if (comparison.status === 'diverged')
    logger.warning(
      `${short} and ${deployed.sha.slice(0, 7)} (what ${settings.environmentName} runs) are on diverged histories: neither contains the other`
    )
  if (comparison.status !== 'behind' || settings.allowDowngrade) return []
  return [
    {
      title: 'Downgrade refused',
      message: `${short} is older than ${deployed.sha.slice(0, 7)}, which ${settings.environmentName} runs now (${comparison.behindBy} commit(s) behind it): promoting it would silently take ${settings.environmentName} back. Set allow-downgrade: true to do so on purpose.`
    }
  ]
}
