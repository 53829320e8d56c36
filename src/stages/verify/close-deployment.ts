import type { DeploymentRecords, DeploymentSummary } from '../../github/deployment-record.js'
import type { Logger } from '../../runtime/logger.js'

/**
 * The Deployment record this verification closes: the promote stage's (its deployment-id
 * output), else the newest one for the environment and commit, preferring records this action
 * made. undefined when there is none (a promotion made by other tooling without a record).
 */
export async function findDeployment(
  records: DeploymentRecords,
  request: { deploymentId: number | undefined; environment: string; sha: string }
): Promise<DeploymentSummary | undefined> {
  if (request.deploymentId !== undefined) return records.get(request.deploymentId)
  const candidates = (await records.list(request.environment, { sha: request.sha, limit: 30 })).filter((d) =>
    d.sha.toLowerCase().startsWith(request.sha.toLowerCase())
  )
  return candidates.find((d) => d.payload['tool'] === 'promote-action') ?? candidates[0]
}

/** The commit the environment ran before this one: the newest other record that succeeded. */
export async function findPreviousSha(
  records: DeploymentRecords,
  environment: string,
  sha: string,
  logger: Logger
): Promise<string | undefined> {
  try {
    const list = await records.list(environment, { limit: 30 })
    return list.find(
      (d) =>
        !d.sha.toLowerCase().startsWith(sha.toLowerCase()) &&
        (d.state === 'success' || d.state === 'inactive')
    )?.sha
  } catch (error) {
    logger.debug(`could not read earlier deployments of ${environment}: ${(error as Error).message}`)
    return undefined
  }
}
