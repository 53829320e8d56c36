import type { Logger } from '../runtime/logger.js'
import type { WorkflowContext } from '../runtime/workflow-context.js'
import { createDeploymentRecords, type DeploymentRecords } from './deployment-record.js'
import { createOctokit, type Octokit } from './octokit-factory.js'

/** The GitHub clients of one run: one Octokit (retries, throttling, user agent) and what is built on it. */
export interface GitHubClients {
  octokit: Octokit
  /** The repository the workflow runs in. */
  owner: string
  repo: string
  /** The Deployment records of that repository. */
  deployments: DeploymentRecords
}

/**
 * Makes a run's GitHub clients on first use and only once, for every stage and step of the run
 * (promote's records, the GitOps delivery, verify's record, the gates, the post step). Octokit
 * loads then, so a run that fails on its inputs never loads it. undefined without a token.
 */
export function gitHubClients(options: {
  token: string
  workflow: WorkflowContext
  logger: Logger
}): () => Promise<GitHubClients | undefined> {
  let made: Promise<GitHubClients | undefined> | undefined
  return () =>
    (made ??= options.token
      ? createOctokit({ token: options.token, apiUrl: options.workflow.apiUrl, logger: options.logger }).then(
          (octokit) => ({
            octokit,
            owner: options.workflow.owner,
            repo: options.workflow.repo,
            deployments: createDeploymentRecords(octokit, options.workflow)
          })
        )
      : Promise.resolve(undefined))
}
