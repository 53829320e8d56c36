import { pick, type Repo } from './repository-ref.js'
import type { DeploymentState } from './deployment-record.js'
import type { Octokit } from './octokit-factory.js'
import { Permission, withPermission } from './permission-errors.js'

export interface DeploymentEntry {
  id: number
  sha: string
  task: string
  environment: string
  createdAt: string
  creator: string | undefined
}

export interface DeploymentStatusInfo {
  /** undefined: the deployment has no status yet. */
  state: DeploymentState | undefined
  logUrl: string | undefined
  environmentUrl: string | undefined
  updatedAt: string | undefined
}

/**
 * An environment's recent deployments, newest first, with their states read on demand: a
 * deployment has no state of its own, only statuses, and reading every one would cost a
 * request per deployment. Gates walk from the newest and stop as soon as they know.
 */
export interface DeploymentHistory {
  environment: string
  deployments: DeploymentEntry[]
  /** The newest status of a deployment (read once, then remembered). */
  state(id: number): Promise<DeploymentStatusInfo>
}

export async function readDeploymentHistory(
  octokit: Octokit,
  repo: Repo,
  environment: string,
  options: { limit: number; sha?: string }
): Promise<DeploymentHistory> {
  const deployments = await withPermission(
    Permission.deploymentsRead,
    `list the deployments of ${environment}`,
    async () => {
      const { data } = await octokit.rest.repos.listDeployments({
        ...pick(repo),
        environment,
        per_page: Math.min(Math.max(options.limit, 1), 100),
        ...(options.sha ? { sha: options.sha } : {})
      })
      return data.map((d): DeploymentEntry => ({
        id: d.id,
        sha: d.sha,
        task: d.task,
        environment: d.environment,
        createdAt: d.created_at,
        creator: d.creator?.login
      }))
    }
  )
  const states = new Map<number, Promise<DeploymentStatusInfo>>()
  return {
    environment,
    deployments,
    state(id) {
      let state = states.get(id)
      if (!state) {
        state = withPermission(
          Permission.deploymentsRead,
          `read the statuses of deployment ${id}`,
          async () => {
            const { data } = await octokit.rest.repos.listDeploymentStatuses({
              ...pick(repo),
              deployment_id: id,
              per_page: 1
            })
            const newest = data[0]
            return {
              state: newest?.state as DeploymentState | undefined,
              logUrl: newest?.log_url || newest?.target_url || undefined,
              environmentUrl: newest?.environment_url || undefined,
              updatedAt: newest?.updated_at
            }
          }
        )
        states.set(id, state)
      }
      return state
    }
  }
}
