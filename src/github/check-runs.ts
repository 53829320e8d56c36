import type { Octokit } from './octokit-factory.js'
import { Permission, withPermission } from './permission-errors.js'
import { pick, type Repo } from './repository-ref.js'

export type CheckRunStatus = 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending'
export type CheckRunConclusion =
  'action_required' | 'cancelled' | 'failure' | 'neutral' | 'success' | 'skipped' | 'stale' | 'timed_out'

export interface CheckRunSummary {
  id: number
  name: string
  status: CheckRunStatus
  conclusion: CheckRunConclusion | null
  /** The check run's page on github.com. */
  url: string | undefined
  externalId: string | undefined
  startedAt: string | undefined
  completedAt: string | undefined
  app: string | undefined
}

export interface CheckRunOutput {
  title: string
  /** At most OUTPUT_LIMIT characters. */
  summary: string
  /** At most OUTPUT_LIMIT characters. */
  text?: string
}

export interface CheckRunWrite {
  status: 'in_progress' | 'completed'
  conclusion?: 'success' | 'failure' | 'neutral'
  detailsUrl?: string
  output: CheckRunOutput
}

/** GitHub rejects a check run whose output.summary or output.text is longer than this. */
export const OUTPUT_LIMIT = 65_535

/**
 * Every check run on `ref`, following pagination (100 a page). GitHub's default `filter=latest`
 * already drops superseded runs within a check suite; callers still pick the newest per name.
 */
export function listCheckRunsForRef(
  octokit: Octokit,
  repo: Repo,
  ref: string,
  options: { checkName?: string } = {}
): Promise<CheckRunSummary[]> {
  return withPermission(Permission.checksRead, `list the check runs of ${ref}`, async () => {
    const runs = await octokit.paginate(octokit.rest.checks.listForRef, {
      ...pick(repo),
      ref,
      filter: 'latest',
      per_page: 100,
      ...(options.checkName ? { check_name: options.checkName } : {})
    })
    return runs.map(summariseCheckRun)
  })
}

export function createCheckRun(
  octokit: Octokit,
  repo: Repo,
  run: CheckRunWrite & { name: string; headSha: string; externalId: string }
): Promise<{ id: number; url: string | undefined }> {
  return withPermission(Permission.checksWrite, `create the check run "${run.name}"`, async () => {
    const { data } = await octokit.rest.checks.create({
      ...pick(repo),
      name: run.name,
      head_sha: run.headSha,
      external_id: run.externalId,
      ...writeFields(run)
    })
    return { id: data.id, url: data.html_url ?? undefined }
  })
}

export function updateCheckRun(
  octokit: Octokit,
  repo: Repo,
  id: number,
  run: CheckRunWrite & { externalId: string }
): Promise<{ id: number; url: string | undefined }> {
  return withPermission(Permission.checksWrite, `update check run ${id}`, async () => {
    const { data } = await octokit.rest.checks.update({
      ...pick(repo),
      check_run_id: id,
      external_id: run.externalId,
      ...writeFields(run)
    })
    return { id: data.id, url: data.html_url ?? undefined }
  })
}

function writeFields(run: CheckRunWrite) {
  return {
    status: run.status,
    ...(run.status === 'completed'
      ? { conclusion: run.conclusion ?? 'neutral', completed_at: new Date().toISOString() }
      : {}),
    ...(run.detailsUrl ? { details_url: run.detailsUrl } : {}),
    output: {
      title: run.output.title.slice(0, 1000),
      summary: run.output.summary.slice(0, OUTPUT_LIMIT),
      ...(run.output.text ? { text: run.output.text.slice(0, OUTPUT_LIMIT) } : {})
    }
  }
}

interface RawCheckRun {
  id: number
  name: string
  status: string
  conclusion: string | null
  html_url: string | null
  external_id: string | null
  started_at: string | null
  completed_at: string | null
  app: { slug?: string } | null
}

function summariseCheckRun(run: RawCheckRun): CheckRunSummary {
  return {
    id: run.id,
    name: run.name,
    status: run.status as CheckRunStatus,
    conclusion: run.conclusion as CheckRunConclusion | null,
    url: run.html_url ?? undefined,
    externalId: run.external_id ?? undefined,
    startedAt: run.started_at ?? undefined,
    completedAt: run.completed_at ?? undefined,
    app: run.app?.slug
  }
}
