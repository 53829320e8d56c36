import type { Octokit } from '../../github/octokit-factory.js'
import { Permission, withPermission } from '../../github/permission-errors.js'
import { OperationalError } from '../../runtime/errors.js'
import type { Clock } from '../../runtime/clock.js'
import type { Logger } from '../../runtime/logger.js'

/**
 * A GitOps rollback: the promotion's commit undone on the base branch, so Argo CD or Flux
 * applies what ran before (a patch of the cluster would be reverted by the engine itself).
 *
 * INTERIM, until the delivery helper's `revertPromotion` (src/gitops/delivery) is merged: this
 * one commits the revert straight to the base branch (what `push: direct` does), never through
 * a pull request. The sync step and the verify stage call only `revertDelivery`; swapping the
 * body for `revertPromotion` (pull request or direct, per `gitops.push`) is a change here only.
 */
export interface RevertRequest {
  octokit: Octokit
  /** owner/repo of the manifests repository. */
  repository: string
  base: string
  /** The promotion's commit on the base branch: its first parent holds what ran before. */
  deliveredSha: string
  /** The files the promotion changed. */
  paths: readonly string[]
  message: string
  clock: Clock
  logger: Logger
}

export interface RevertOutcome {
  /** The revert commit on the base branch (what the sync wait then waits for). */
  sha: string
  /** When it landed there. */
  deliveredAt: number
  pullRequestUrl?: string | undefined
}

const ATTEMPTS = 5

/**
 * Restores each path to its blob in the delivered commit's first parent (the same bytes, by
 * blob sha, never re-encoded; a file the promotion created is removed) in one commit on top of
 * the base branch's head. The ref moves only forward: when the branch moved meanwhile, the
 * revert is rebuilt on the new head, a bounded number of times, never forced.
 */
export async function revertDelivery(request: RevertRequest): Promise<RevertOutcome> {
  const { octokit, repository, base, deliveredSha, paths, logger, clock } = request
  const [owner = '', repo = ''] = repository.split('/')
  const where = { owner, repo }
  return withPermission(
    Permission.contentsWrite,
    `revert ${deliveredSha.slice(0, 7)} on ${base} of ${repository}`,
    async () => {
      const delivered = await octokit.rest.git.getCommit({ ...where, commit_sha: deliveredSha })
      const parent = delivered.data.parents[0]?.sha
      if (!parent)
        throw new OperationalError(`${deliveredSha} has no parent: there is nothing to revert to`, {
          title: 'GitOps revert impossible'
        })
      const previous = await Promise.all(
        paths.map(async (path) => ({ path, sha: await blobAt(octokit, where, path, parent) }))
      )
      for (let attempt = 1; ; attempt++) {
        const head = (await octokit.rest.git.getRef({ ...where, ref: `heads/${base}` })).data.object.sha
        const headCommit = await octokit.rest.git.getCommit({ ...where, commit_sha: head })
        const tree = await octokit.rest.git.createTree({
          ...where,
          base_tree: headCommit.data.tree.sha,
          tree: previous.map(({ path, sha }) => ({
            path,
            mode: '100644' as const,
            type: 'blob' as const,
            sha
          }))
        })
        if (tree.data.sha === headCommit.data.tree.sha) {
          logger.info(
            `${base} of ${repository} already holds what ran before ${deliveredSha.slice(0, 7)}: nothing to revert`
          )
          return { sha: head, deliveredAt: clock.now() }
        }
        const commit = await octokit.rest.git.createCommit({
          ...where,
          message: request.message,
          tree: tree.data.sha,
          parents: [head]
        })
        try {
          await octokit.rest.git.updateRef({
            ...where,
            ref: `heads/${base}`,
            sha: commit.data.sha,
            force: false
          })
          logger.info(
            `Reverted ${deliveredSha.slice(0, 7)} on ${base} of ${repository}: ${commit.data.sha.slice(0, 7)}`
          )
          return { sha: commit.data.sha, deliveredAt: clock.now() }
        } catch (error) {
          // 422 "not a fast forward": the branch moved between our read and write.
          if ((error as { status?: number }).status !== 422 || attempt >= ATTEMPTS) throw error
          logger.info(
            `${base} moved while reverting; rebuilding the revert on its new head (attempt ${attempt + 1})`
          )
        }
      }
    }
  )
}

/** The blob sha of a file at a commit; null when the commit has no such file (the promotion created it). */
async function blobAt(
  octokit: Octokit,
  where: { owner: string; repo: string },
  path: string,
  ref: string
): Promise<string | null> {
  try {
    const { data } = await octokit.rest.repos.getContent({ ...where, path, ref })
    if (Array.isArray(data) || data.type !== 'file') throw new Error(`${path} is not a file at ${ref}`)
    return data.sha
  } catch (error) {
    if ((error as { status?: number }).status === 404) return null
    throw error
  }
}
