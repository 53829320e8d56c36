import { createCheckRun, OUTPUT_LIMIT, updateCheckRun, type CheckRunWrite } from '../../github/check-runs.js'
import type { GateRunGitHub } from '../../gates/gate-github.js'

export interface OwnCheckRun {
  name: string
  sha: string
  externalId: string
  detailsUrl: string
}

/** external_id of the action's check run: one per environment on a SHA. */
export function externalIdFor(environment: string): string {
  return `promote-action/gates/${environment}`
}

/**
 * Creates the check run, or updates the one an earlier run (or an earlier call of this run)
 * left on the SHA, so a re-run never adds a second "promotion gates (...)" to the PR.
 */
export class CheckRunPublisher {
  private id: number | undefined
  private looked = false

  constructor(
    private readonly github: GateRunGitHub,
    private readonly run: OwnCheckRun
  ) {}

  async publish(write: Omit<CheckRunWrite, 'detailsUrl'>): Promise<{ id: number; url: string | undefined }> {
    if (!this.looked) {
      this.looked = true
      const existing = await this.github.findOwnCheckRun(this.run.name, this.run.externalId)
      this.id = existing?.id
    }
    const output = {
      ...write.output,
      summary: write.output.summary.slice(0, OUTPUT_LIMIT),
      ...(write.output.text ? { text: write.output.text.slice(0, OUTPUT_LIMIT) } : {})
    }
    const full = {
      ...write,
      output,
      externalId: this.run.externalId,
      ...(this.run.detailsUrl ? { detailsUrl: this.run.detailsUrl } : {})
    }
    const repo = { owner: this.github.owner, repo: this.github.repo }
    const written =
      this.id !== undefined
        ? await updateCheckRun(this.github.octokit, repo, this.id, full)
        : await createCheckRun(this.github.octokit, repo, {
            ...full,
            name: this.run.name,
            headSha: this.run.sha
          })
    this.id = written.id
    return written
  }
}
