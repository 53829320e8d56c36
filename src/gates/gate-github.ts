import type { GateGitHub } from './gate-context.js'
import { listCheckRunsForRef, type CheckRunSummary } from '../github/check-runs.js'
import { readCommitChecks, type CommitChecks } from '../github/commit-checks.js'
import type { GitHubClients } from '../github/run-clients.js'

/** The GitHub clients of one gate run, with the commit's checks read once per round. */
export interface GateRunGitHub extends GateGitHub {
  /** Forget what was read, so pending gates re-checked after a wait see fresh data. */
  newRound(): void
  /** The action's own check run on the SHA from an earlier run, to update instead of adding another. */
  findOwnCheckRun(name: string, externalId: string): Promise<CheckRunSummary | undefined>
}

/** The run's GitHub clients as the gates use them, with the commit's checks read once per round. */
export function createGateGitHub(clients: GitHubClients, sha: string): GateRunGitHub {
  const { octokit } = clients
  const repo = { owner: clients.owner, repo: clients.repo }
  let checks: Promise<CommitChecks> | undefined
  return {
    ...clients,
    commitChecks() {
      if (!checks) {
        const reading = readCommitChecks(octokit, repo, sha)
        checks = reading
        // A failed read is not remembered: the next round tries again.
        reading.catch(() => {
          if (checks === reading) checks = undefined
        })
      }
      return checks
    },
    newRound() {
      checks = undefined
    },
    async findOwnCheckRun(name, externalId) {
      // Free when a gate has read the commit's checks already; one filtered request otherwise.
      const runs = checks ? (await checks.catch(() => undefined))?.checkRuns : undefined
      const candidates = (
        runs ?? (await listCheckRunsForRef(octokit, repo, sha, { checkName: name }))
      ).filter((r) => r.name === name)
      candidates.sort((a, b) => b.id - a.id)
      return candidates.find((r) => r.externalId === externalId) ?? candidates[0]
    }
  }
}
