import { readFileSync } from 'node:fs'

/**
 * What the runner tells every step about the workflow run, read from its environment
 * variables. Kept apart from @actions/github so that reading it costs nothing at start-up.
 */
export interface WorkflowContext {
  owner: string
  repo: string
  /** owner/repo */
  repository: string
  sha: string
  ref: string
  actor: string
  eventName: string
  runId: string
  runAttempt: string
  workflow: string
  job: string
  serverUrl: string
  apiUrl: string
  /** The run's page, the `log_url` of Deployment statuses and the lock holder's link. */
  runUrl: string
  tempDir: string
  workspace: string
  /** The event payload (the file at GITHUB_EVENT_PATH), read on first use. */
  event(): Record<string, unknown>
}

export function readWorkflowContext(env: NodeJS.ProcessEnv = process.env): WorkflowContext {
  const repository = env['GITHUB_REPOSITORY'] ?? ''
  const [owner = '', repo = ''] = repository.split('/')
  const serverUrl = (env['GITHUB_SERVER_URL'] ?? 'https://github.com').replace(/\/$/, '')
  const runId = env['GITHUB_RUN_ID'] ?? ''
  const runAttempt = env['GITHUB_RUN_ATTEMPT'] ?? '1'
  let payload: Record<string, unknown> | undefined
  return {
    owner,
    repo,
    repository,
    sha: env['GITHUB_SHA'] ?? '',
    ref: env['GITHUB_REF'] ?? '',
    actor: env['GITHUB_ACTOR'] ?? '',
    eventName: env['GITHUB_EVENT_NAME'] ?? '',
    runId,
    runAttempt,
    workflow: env['GITHUB_WORKFLOW'] ?? '',
    job: env['GITHUB_JOB'] ?? '',
    serverUrl,
    apiUrl: (env['GITHUB_API_URL'] ?? 'https://api.github.com').replace(/\/$/, ''),
    runUrl:
      repository && runId ? `${serverUrl}/${repository}/actions/runs/${runId}/attempts/${runAttempt}` : '',
    tempDir: env['RUNNER_TEMP'] ?? env['TMPDIR'] ?? '/tmp',
    workspace: env['GITHUB_WORKSPACE'] ?? process.cwd(),
    event() {
      if (payload === undefined) {
        const path = env['GITHUB_EVENT_PATH']
        try {
          payload = path ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {}
        } catch {
          payload = {}
        }
      }
      return payload
    }
  }
}
