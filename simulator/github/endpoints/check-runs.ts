import type { EndpointTable } from '../endpoint.js'
import { resolveCommitish } from '../git-store.js'
import { notFound, unprocessable } from '../http-error.js'
import { paginate } from '../pagination.js'
import type { CheckRun, RequestBody } from '../state.js'
import type { GitHubWorld } from '../world.js'

/**
 * Check runs. Giving a conclusion completes the run (status `completed`, `completed_at` now unless
 * given); `completed` without a conclusion is refused, as GitHub does. Runs belong to the app that
 * created them (GitHub Actions for the emulator's token) and one check suite per app and commit.
 * Listing a ref with `filter=latest` (the default) keeps the newest run per app and name, which
 * is what a re-run leaves visible.
 */
export type CheckRunCreate = RequestBody<'checks/create'>
export type CheckRunUpdate = RequestBody<'checks/update'>

export function createCheckRun(world: GitHubWorld, input: CheckRunCreate & { app_slug?: string }): CheckRun {
  refuseStale(input.conclusion)
  if ((input.status === 'completed' || input.completed_at !== undefined) && input.conclusion === undefined) {
    throw unprocessable(`Invalid request.\n\n"conclusion" wasn't supplied.`)
  }
  const app = world.app(input.app_slug)
  const id = world.nextId('check-run', 20_000_001)
  const now = world.now()
  const completed = input.conclusion !== undefined
  const url = `${world.repoUrl}/check-runs/${id}`
  const run: CheckRun = {
    id,
    node_id: world.nodeId('CR', id),
    head_sha: input.head_sha,
    external_id: input.external_id ?? '',
    url,
    html_url: `${world.htmlUrl}/runs/${id}`,
    details_url: input.details_url ?? app.external_url,
    status: completed ? 'completed' : (input.status ?? 'queued'),
    conclusion: completed ? (input.conclusion as CheckRun['conclusion']) : null,
    started_at: input.started_at ?? now,
    completed_at: completed ? (input.completed_at ?? now) : null,
    output: {
      title: input.output?.title ?? null,
      summary: input.output?.summary ?? null,
      text: input.output?.text ?? null,
      annotations_count: input.output?.annotations?.length ?? 0,
      annotations_url: `${url}/annotations`
    },
    name: input.name,
    check_suite: { id: world.checkSuiteId(input.head_sha, app.id) },
    app,
    pull_requests: pullRequestsWithHead(world, input.head_sha)
  }
  world.state.checkRuns.push(run)
  return run
}

export function updateCheckRun(world: GitHubWorld, run: CheckRun, input: CheckRunUpdate): CheckRun {
  refuseStale(input.conclusion)
  if (input.name !== undefined) run.name = input.name
  if (input.details_url !== undefined) run.details_url = input.details_url
  if (input.external_id !== undefined) run.external_id = input.external_id
  if (input.started_at !== undefined) run.started_at = input.started_at
  if (input.status !== undefined) run.status = input.status
  if (input.conclusion !== undefined) {
    run.conclusion = input.conclusion as CheckRun['conclusion']
    run.status = 'completed'
    run.completed_at = input.completed_at ?? world.now()
  } else if (input.completed_at !== undefined) {
    run.completed_at = input.completed_at
  }
  if (input.output !== undefined) {
    run.output = {
      ...run.output,
      title: input.output.title ?? run.output.title,
      summary: input.output.summary,
      text: input.output.text ?? run.output.text,
      // GitHub appends annotations sent across several updates.
      annotations_count: run.output.annotations_count + (input.output.annotations?.length ?? 0)
    }
  }
  return run
}

/** The description lists `stale` among request conclusions, but only GitHub may set it. */
function refuseStale(conclusion: string | undefined): void {
  if (conclusion === 'stale')
    throw unprocessable('Invalid request.\n\nOnly GitHub can set a conclusion of "stale".')
}

/** The newest run per app and name, newest first. */
export function latestCheckRuns(runs: CheckRun[]): CheckRun[] {
  const latest = new Map<string, CheckRun>()
  for (const run of runs) {
    const key = `${run.app?.id ?? 0}\u0000${run.name}`
    const current = latest.get(key)
    if (current === undefined || run.id > current.id) latest.set(key, run)
  }
  return [...latest.values()].sort((left, right) => right.id - left.id)
}

function pullRequestsWithHead(world: GitHubWorld, sha: string): CheckRun['pull_requests'] {
  return world.state.pullRequests
    .filter((pull) => pull.state === 'open' && pull.head.sha === sha)
    .map((pull) => ({
      id: pull.id,
      number: pull.number,
      url: pull.url,
      head: {
        ref: pull.head.ref,
        sha: pull.head.sha,
        repo: { id: world.repositoryId, name: world.repo, url: world.repoUrl }
      },
      base: {
        ref: pull.base.ref,
        sha: pull.base.sha,
        repo: { id: world.repositoryId, name: world.repo, url: world.repoUrl }
      }
    }))
}

function findCheckRun(world: GitHubWorld, id: unknown): CheckRun {
  const run = world.state.checkRuns.find((candidate) => candidate.id === id)
  if (run === undefined) throw notFound()
  return run
}

export const checkRunEndpoints = {
  'checks/create': (request) => {
    const run = createCheckRun(request.world, request.body as CheckRunCreate)
    return { status: 201, body: run }
  },

  'checks/get': (request) => ({
    status: 200,
    body: findCheckRun(request.world, request.params.check_run_id)
  }),

  'checks/update': (request) => {
    const run = findCheckRun(request.world, request.params.check_run_id)
    return { status: 200, body: updateCheckRun(request.world, run, request.body as CheckRunUpdate) }
  },

  'checks/list-for-ref': (request) => {
    const ref = String(request.params.ref)
    const sha = resolveCommitish(request.world, ref)
    if (sha === undefined) throw unprocessable(`No commit found for SHA: ${ref}`)
    const { check_name, status, app_id, filter } = request.query
    const onCommit = request.world.state.checkRuns.filter((run) => run.head_sha === sha)
    const runs = (
      filter === 'all' ? [...onCommit].sort((left, right) => right.id - left.id) : latestCheckRuns(onCommit)
    )
      .filter((run) => check_name === undefined || run.name === check_name)
      .filter((run) => status === undefined || run.status === status)
      .filter((run) => app_id === undefined || run.app?.id === app_id)
    const page = paginate(runs, request)
    return { status: 200, body: { total_count: runs.length, check_runs: page.items }, headers: page.headers }
  }
} satisfies Partial<EndpointTable>
