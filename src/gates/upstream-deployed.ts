import { z } from 'zod'
import { readDeploymentHistory, type DeploymentEntry } from '../github/deployment-history.js'
import { defineGate, type GateContext } from './gate-context.js'
import type { Evidence, GateResult } from './gate-definition.js'

export const upstreamDeployedSettings = z.strictObject({
  environment: z
    .string()
    .min(1)
    .optional()
    .describe(
      'The environment the SHA must be deployed in. Default: the one this environment promotes from (from:).'
    ),
  'require-current': z
    .boolean()
    .default(true)
    .describe(
      'The SHA must still be the current deployment there: no newer successful deployment of another SHA, not marked inactive. false: any successful deployment of the SHA counts.'
    ),
  'look-back': z
    .int()
    .min(1)
    .max(100)
    .default(30)
    .describe('How many recent deployments of that environment to inspect.')
})

/** A successful deployment is later marked inactive when a newer one succeeds (auto_inactive). */
const SUCCEEDED = new Set(['success', 'inactive'])

export const upstreamDeployed = defineGate({
  name: 'upstream-deployed',
  description:
    'The SHA has a successful GitHub Deployment in the environment it promotes from, and (unless require-current: false) it is still the current deployment there: not superseded by a newer one nor inactive.',
  settings: upstreamDeployedSettings,
  validate: (settings, setup) =>
    settings.environment || setup.upstream
      ? []
      : [`with.environment, or a from: on ${setup.environmentName} naming the environment it promotes from`],
  async run(settings, context) {
    const environment = settings.environment ?? context.upstream!.name
    const history = await readDeploymentHistory(context.github.octokit, context.github, environment, {
      limit: settings['look-back']
    })
    const short = context.sha.slice(0, 7)
    const envLink: Evidence = {
      label: 'environment',
      value: environment,
      url: `${context.workflow.serverUrl}/${context.workflow.repository}/deployments/${encodeURIComponent(environment)}`
    }
    const ours = history.deployments.filter((d) => d.sha === context.sha)
    if (ours.length === 0)
      return {
        status: 'failed',
        summary: `${short} was never deployed to ${environment} (${history.deployments.length ? `none of its last ${history.deployments.length} deployments` : 'it has no deployments yet'}): promote it there first`,
        evidence: [envLink]
      }

    // The current deployment is the newest one whose newest status is success.
    let current: DeploymentEntry | undefined
    for (const deployment of history.deployments) {
      context.signal.throwIfAborted()
      const { state } = await history.state(deployment.id)
      if (state === 'success') {
        current = deployment
        break
      }
    }
    if (current && current.sha === context.sha) {
      const info = await history.state(current.id)
      return passed(
        `${short} is the current deployment in ${environment} (deployment ${current.id}, ${current.createdAt})`,
        current,
        info.logUrl,
        envLink
      )
    }

    const succeeded: DeploymentEntry[] = []
    for (const deployment of ours)
      if (SUCCEEDED.has((await history.state(deployment.id)).state ?? '')) succeeded.push(deployment)
    const newest = ours[0]!
    const newestState = (await history.state(newest.id)).state ?? 'no status'
    if (succeeded.length === 0)
      return {
        status:
          newestState === 'in_progress' || newestState === 'queued' || newestState === 'pending'
            ? 'pending'
            : 'failed',
        summary: `${short} has no successful deployment in ${environment}: its newest deployment (${newest.id}) is ${newestState}`,
        evidence: [deploymentEvidence(newest, newestState, (await history.state(newest.id)).logUrl), envLink]
      }
    if (!settings['require-current'])
      return passed(
        `${short} was deployed successfully to ${environment} (deployment ${succeeded[0]!.id})`,
        succeeded[0]!,
        (await history.state(succeeded[0]!.id)).logUrl,
        envLink
      )
    return superseded(context, environment, succeeded[0]!, current, envLink)
  }
})

function passed(
  summary: string,
  deployment: DeploymentEntry,
  logUrl: string | undefined,
  envLink: Evidence
): GateResult {
  return { status: 'passed', summary, evidence: [deploymentEvidence(deployment, 'success', logUrl), envLink] }
}

function superseded(
  context: GateContext,
  environment: string,
  ours: DeploymentEntry,
  current: DeploymentEntry | undefined,
  envLink: Evidence
): GateResult {
  const short = context.sha.slice(0, 7)
  const evidence = [
    deploymentEvidence(ours, 'superseded'),
    ...(current ? [deploymentEvidence(current, 'current')] : []),
    envLink
  ]
  return {
    status: 'failed',
    summary: current
      ? `${short} is no longer current in ${environment}: ${current.sha.slice(0, 7)} (deployment ${current.id}, ${current.createdAt}) replaced it. Promote what ${environment} runs now, or set require-current: false`
      : `${short} was deployed to ${environment} but is now inactive there, and nothing is currently deployed`,
    evidence
  }
}

function deploymentEvidence(deployment: DeploymentEntry, state: string, logUrl?: string): Evidence {
  return {
    label: `deployment ${deployment.id} (${deployment.sha.slice(0, 7)})`,
    value: state,
    ...(logUrl ? { url: logUrl } : {})
  }
}
