import type { WorkflowContext } from '../runtime/workflow-context.js'
import type { Octokit } from './octokit-factory.js'
import { Permission, withPermission } from './permission-errors.js'

export type DeploymentState =
  'error' | 'failure' | 'inactive' | 'in_progress' | 'queued' | 'pending' | 'success'

export interface DeploymentSummary {
  id: number
  sha: string
  environment: string
  createdAt: string
  payload: Record<string, unknown>
  /** The newest status's state; a deployment has no state of its own. */
  state: DeploymentState | undefined
  statusUrl?: string | undefined
  logUrl?: string | undefined
}

/** The GitHub Deployments API as the stages use it: one record per promotion. */
export interface DeploymentRecords {
  create(request: {
    environment: string
    sha: string
    production: boolean
    description: string
    payload: Record<string, unknown>
  }): Promise<number>
  setStatus(
    id: number,
    state: DeploymentState,
    details: { description: string; logUrl?: string; environmentUrl?: string | undefined }
  ): Promise<void>
  /** Deployments of the environment (newest first), each with its newest status. */
  list(environment: string, filter?: { sha?: string; limit?: number }): Promise<DeploymentSummary[]>
  get(id: number): Promise<DeploymentSummary>
}

const DESCRIPTION_LIMIT = 140

export function createDeploymentRecords(octokit: Octokit, workflow: WorkflowContext): DeploymentRecords {
  const repo = { owner: workflow.owner, repo: workflow.repo }
  const newestStatus = async (id: number) => {
    const { data } = await octokit.rest.repos.listDeploymentStatuses({
      ...repo,
      deployment_id: id,
      per_page: 1
    })
    return data[0]
  }
  const summarise = async (d: {
    id: number
    sha: string
    environment: string
    created_at: string
    payload: unknown
  }): Promise<DeploymentSummary> => {
    const status = await newestStatus(d.id)
    return {
      id: d.id,
      sha: d.sha,
      environment: d.environment,
      createdAt: d.created_at,
      payload:
        typeof d.payload === 'object' && d.payload !== null ? (d.payload as Record<string, unknown>) : {},
      state: status?.state as DeploymentState | undefined,
      statusUrl: status?.environment_url,
      logUrl: status?.log_url
    }
  }
  return {
    create: (request) =>
      withPermission(
        Permission.deploymentsWrite,
        `create a deployment for ${request.environment}`,
        async () => {
          const response = await octokit.rest.repos.createDeployment({
            ...repo,
            ref: request.sha,
            environment: request.environment,
            description: request.description.slice(0, DESCRIPTION_LIMIT),
            payload: request.payload as { [key: string]: unknown },
            production_environment: request.production,
            // GitHub's defaults would merge the default branch into an old ref and wait for every status check.
            auto_merge: false,
            required_contexts: [],
            task: 'deploy'
          })
          if (response.status !== 201)
            throw new Error(`GitHub did not create the deployment: ${JSON.stringify(response.data)}`)
          return (response.data as { id: number }).id
        }
      ),
    setStatus: (id, state, details) =>
      withPermission(Permission.deploymentsWrite, `set deployment ${id} to ${state}`, async () => {
        await octokit.rest.repos.createDeploymentStatus({
          ...repo,
          deployment_id: id,
          state,
          description: details.description.slice(0, DESCRIPTION_LIMIT),
          ...(details.logUrl ? { log_url: details.logUrl } : {}),
          ...(details.environmentUrl ? { environment_url: details.environmentUrl } : {})
        })
      }),
    list: (environment, filter = {}) =>
      withPermission(Permission.deploymentsRead, `list deployments of ${environment}`, async () => {
        const { data } = await octokit.rest.repos.listDeployments({
          ...repo,
          environment,
          ...(filter.sha ? { sha: filter.sha } : {}),
          per_page: Math.min(filter.limit ?? 30, 100)
        })
        return Promise.all(data.map(summarise))
      }),
    get: (id) =>
      withPermission(Permission.deploymentsRead, `read deployment ${id}`, async () => {
        const { data } = await octokit.rest.repos.getDeployment({ ...repo, deployment_id: id })
        return summarise(data)
      })
  }
}
