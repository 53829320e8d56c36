import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createCheckRun, updateCheckRun, type CheckRunCreate } from './endpoints/check-runs.js'
import { addCodeScanningAlert, type CodeScanningAlertSeed } from './endpoints/code-scanning.js'
import { createCommitStatus } from './endpoints/commit-statuses.js'
import { branchContents, putFile } from './endpoints/contents.js'
import {
  createDeployment,
  createDeploymentStatus,
  type DeploymentStatusCreate
} from './endpoints/deployments.js'
import { setEnvironment, type EnvironmentSeed } from './endpoints/environments.js'
import { addIssueComment } from './endpoints/issue-comments.js'
import {
  addPendingDeployment,
  reviewDeployments,
  type DeploymentReviewSeed,
  type PendingDeploymentSeed
} from './endpoints/workflow-runs.js'
import { GitRepository } from './git-repository.js'
import { allObjects, branchSha, commitToBranch, resolveCommitish, setRef, writeBlob } from './git-store.js'
import { checkResults, settleAutoMerges } from './merging.js'
import { sharedOpenApiValidator, type OpenApiValidator } from './openapi-validator.js'
import type { PermissionRule } from './permission-rules.js'
import { handleRequest, type RecordedRequest } from './request-handler.js'
import { Router } from './router.js'
import type {
  CheckRun,
  CodeScanningAlert,
  CommitStatus,
  Deployment,
  Environment,
  EnvironmentApproval,
  GitHubState,
  IssueComment,
  PendingDeployment,
  RepositorySettings
} from './state.js'
import { GitHubWorld } from './world.js'

export interface GitHubEmulatorOptions {
  /** The token clients must send (`Authorization: token X` or `Bearer X`). Default: a random `ghs_` token. */
  token?: string
  owner?: string
  repo?: string
  /** Check requests and responses against GitHub's OpenAPI description. Default true. */
  validate?: boolean
  /** Merge settings; GitHub's defaults otherwise (every merge method allowed, auto-merge off). */
  settings?: Partial<RepositorySettings>
}

export interface CheckRunSeed {
  head_sha: string
  name: string
  status?: CheckRun['status']
  conclusion?: NonNullable<CheckRun['conclusion']>
  started_at?: string
  completed_at?: string
  external_id?: string
  details_url?: string
  /** The app that owns the run. Default: github-actions. */
  app_slug?: string
  output?: { title: string; summary: string; text?: string }
}

export interface CommitStatusSeed {
  context: string
  state: CommitStatus['state'] & ('error' | 'failure' | 'pending' | 'success')
  description?: string
  target_url?: string
}

export interface DeploymentSeed {
  environment: string
  sha: string
  /** Default: the sha. */
  ref?: string
  task?: string
  payload?: { [key: string]: unknown } | string
  description?: string
  production_environment?: boolean
  transient_environment?: boolean
  /** Created in order, oldest first, with the same rules as the API (auto_inactive included). */
  statuses?: DeploymentStatusCreate[]
}

export interface GitHubEmulator {
  /** API base URL (use as GITHUB_API_URL or Octokit's baseUrl). */
  readonly url: string
  readonly token: string
  readonly owner: string
  readonly repo: string
  readonly state: GitHubState
  /** Every request received, in order. */
  readonly requests: RecordedRequest[]
  /** Every OpenAPI mismatch seen, request or response, with the operation and the ajv path and message. */
  readonly violations: string[]
  /**
   * The bare git repository behind the git data, contents and merge endpoints, for `git --git-dir`
   * (`git --git-dir "$DIR" log --format=%s main`). Removed by `close()`.
   */
  readonly gitDir: string
  addCheckRun(seed: CheckRunSeed): CheckRun
  addCommitStatus(sha: string, seed: CommitStatusSeed): CommitStatus
  addCodeScanningAlert(seed: CodeScanningAlertSeed): CodeScanningAlert
  addDeployment(seed: DeploymentSeed): Deployment
  setEnvironment(name: string, seed?: EnvironmentSeed): Environment
  /** Commits one file to a branch (default `main`); returns the new commit's sha. */
  putFile(path: string, content: string | Buffer, options?: { branch?: string; message?: string }): string
  /** Creates a branch at another branch's head (default `main`); returns its sha. */
  createBranch(name: string, from?: string): string
  /** Changes merge settings (`allow_auto_merge`, the allowed methods, `delete_branch_on_merge`). */
  setRepositorySettings(settings: Partial<RepositorySettings>): RepositorySettings
  /** The branch protection's required status checks (check run names or status contexts); [] removes them. */
  setRequiredChecks(branch: string, contexts: string[]): void
  /**
   * Completes checks on a commit (branch, tag or sha), as CI finishing would: each named check (default:
   * every unfinished check run there plus every required check of any branch) gets its newest run
   * completed with `conclusion` (default success), or a new completed run when it has none. Pull
   * requests with auto-merge on then merge if that met their requirements.
   */
  completeChecks(
    ref: string,
    options?: { conclusion?: NonNullable<CheckRun['conclusion']>; names?: string[] }
  ): CheckRun[]
  /** A comment on a pull request, as `POST /issues/{n}/comments` makes it. */
  addIssueComment(pullNumber: number, body: string): IssueComment
  /** An environment a workflow run waits for (defaults from the environment's protection rules). */
  addPendingDeployment(runId: number, seed: PendingDeploymentSeed): PendingDeployment
  /** A reviewer's decision on a run's environments; approving or rejecting takes them off its pending list. */
  reviewDeployments(runId: number, seed: DeploymentReviewSeed): EnvironmentApproval
  /** Answers matching requests like GitHub does for a token without the permission. Returns a function that lifts the rule. */
  denyPermission(rule: PermissionRule): () => void
  /** Returns the violations recorded so far and forgets them (for tests that provoke one). */
  takeViolations(): string[]
  /** Throws an Error listing every violation. */
  assertNoViolations(): void
  close(): Promise<void>
}

const DEFAULT_SETTINGS: RepositorySettings = {
  allow_auto_merge: false,
  allow_merge_commit: true,
  allow_squash_merge: true,
  allow_rebase_merge: true,
  delete_branch_on_merge: false
}

export async function startGitHubEmulator(options: GitHubEmulatorOptions = {}): Promise<GitHubEmulator> {
  const validator = sharedOpenApiValidator()
  // Git runs synchronously, so a busy machine can hold the event loop for seconds; an idle
  // keep-alive socket must not be closed under a client that is about to reuse it ("other side
  // closed" in undici), as Node's 5 s default would.
  const server = createServer({ keepAliveTimeout: 60_000 })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return new RunningGitHubEmulator(server, `http://127.0.0.1:${port}`, validator, options)
}

class RunningGitHubEmulator implements GitHubEmulator {
  readonly token: string
  readonly owner: string
  readonly repo: string
  readonly state: GitHubState
  readonly requests: RecordedRequest[] = []
  readonly violations: string[] = []
  private readonly world: GitHubWorld
  private readonly git: GitRepository
  private readonly denials: PermissionRule[] = []

  constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly validator: OpenApiValidator,
    options: GitHubEmulatorOptions
  ) {
    this.token = options.token ?? `ghs_${randomBytes(18).toString('base64url')}`
    this.owner = options.owner ?? 'octo-org'
    this.repo = options.repo ?? 'octo-service'
    this.git = GitRepository.create('main')
    this.state = createState(() => this.world, { ...DEFAULT_SETTINGS, ...options.settings })
    this.world = new GitHubWorld(this.state, this.git, this.owner, this.repo, url)
    const readme = writeBlob(this.world, Buffer.from(`# ${this.repo}\n`))
    commitToBranch(
      this.world,
      this.world.defaultBranch,
      new Map([['README.md', { mode: '100644', type: 'blob', sha: readme }]]),
      'Initial commit',
      {
        author: {
          name: this.owner,
          email: `${this.owner}@users.noreply.github.com`,
          date: this.world.nextCommitDate()
        }
      }
    )

    const context = {
      world: this.world,
      router: new Router(validator.operations),
      validator,
      token: this.token,
      validate: options.validate ?? true,
      denials: this.denials,
      requests: this.requests,
      violations: this.violations
    }
    server.on('request', (request, response) => {
      handleRequest(context, request, response).catch((error: unknown) => {
        this.violations.push(`emulator failed: ${String(error)}`)
        if (!response.headersSent) response.writeHead(500)
        response.end()
      })
    })
  }

  get gitDir(): string {
    return this.git.dir
  }

  addCheckRun(seed: CheckRunSeed): CheckRun {
    const { status, ...rest } = seed
    const run = createCheckRun(this.world, {
      ...rest,
      ...(status === 'queued' || status === 'in_progress' || status === 'completed' ? { status } : {})
    } as CheckRunCreate & { app_slug?: string })
    // Seeds may use the statuses only GitHub sets (waiting, requested, pending).
    if (status !== undefined && status !== run.status && seed.conclusion === undefined) run.status = status
    this.checked('check-run', run)
    settleAutoMerges(this.world)
    return run
  }

  addCommitStatus(sha: string, seed: CommitStatusSeed): CommitStatus {
    const status = this.checked('status', createCommitStatus(this.world, sha, seed))
    settleAutoMerges(this.world)
    return status
  }

  addCodeScanningAlert(seed: CodeScanningAlertSeed): CodeScanningAlert {
    return this.checked('code-scanning-alert-items', addCodeScanningAlert(this.world, seed))
  }

  addDeployment(seed: DeploymentSeed): Deployment {
    const { statuses = [], ...fields } = seed
    const deployment = createDeployment(this.world, { ...fields, ref: seed.ref ?? seed.sha })
    for (const status of statuses)
      this.checked('deployment-status', createDeploymentStatus(this.world, deployment, status))
    return this.checked('deployment', deployment)
  }

  setEnvironment(name: string, seed: EnvironmentSeed = {}): Environment {
    return this.checked('environment', setEnvironment(this.world, name, seed))
  }

  putFile(
    path: string,
    content: string | Buffer,
    options: { branch?: string; message?: string } = {}
  ): string {
    const { sha } = putFile(
      this.world,
      path,
      Buffer.isBuffer(content) ? content : Buffer.from(content),
      options
    ).commit
    settleAutoMerges(this.world)
    return sha
  }

  createBranch(name: string, from: string = this.world.defaultBranch): string {
    const sha = branchSha(this.world, from)
    if (sha === undefined) throw new Error(`Cannot branch '${name}' from '${from}': no such branch.`)
    setRef(this.world, `refs/heads/${name}`, sha)
    return sha
  }

  setRepositorySettings(settings: Partial<RepositorySettings>): RepositorySettings {
    Object.assign(this.state.settings, settings)
    settleAutoMerges(this.world)
    return this.state.settings
  }

  setRequiredChecks(branch: string, contexts: string[]): void {
    if (contexts.length === 0) delete this.state.requiredChecks[branch]
    else this.state.requiredChecks[branch] = [...contexts]
    settleAutoMerges(this.world)
  }

  completeChecks(
    ref: string,
    options: { conclusion?: NonNullable<CheckRun['conclusion']>; names?: string[] } = {}
  ): CheckRun[] {
    const sha = resolveCommitish(this.world, ref)
    if (sha === undefined) throw new Error(`Cannot complete checks on '${ref}': no such commit.`)
    const conclusion = options.conclusion ?? 'success'
    const unfinished = [...checkResults(this.world, sha)].filter(([, state]) => state === 'pending')
    const names = options.names ?? [
      ...new Set([...unfinished.map(([name]) => name), ...Object.values(this.state.requiredChecks).flat()])
    ]
    const runs = names.map((name) => {
      const newest = this.state.checkRuns
        .filter((run) => run.head_sha === sha && run.name === name)
        .reduce<CheckRun | undefined>(
          (latest, run) => (latest === undefined || run.id > latest.id ? run : latest),
          undefined
        )
      if (newest === undefined || newest.status === 'completed')
        return createCheckRun(this.world, { head_sha: sha, name, conclusion })
      return updateCheckRun(this.world, newest, { conclusion })
    })
    for (const run of runs) this.checked('check-run', run)
    settleAutoMerges(this.world)
    return runs
  }

  addIssueComment(pullNumber: number, body: string): IssueComment {
    return this.checked('issue-comment', addIssueComment(this.world, pullNumber, body))
  }

  addPendingDeployment(runId: number, seed: PendingDeploymentSeed): PendingDeployment {
    return this.checked('pending-deployment', addPendingDeployment(this.world, runId, seed))
  }

  reviewDeployments(runId: number, seed: DeploymentReviewSeed): EnvironmentApproval {
    return this.checked('environment-approvals', reviewDeployments(this.world, runId, seed))
  }

  denyPermission(rule: PermissionRule): () => void {
    this.denials.push(rule)
    return () => {
      const index = this.denials.indexOf(rule)
      if (index >= 0) this.denials.splice(index, 1)
    }
  }

  takeViolations(): string[] {
    return this.violations.splice(0)
  }

  assertNoViolations(): void {
    if (this.violations.length === 0) return
    throw new Error(
      `The GitHub emulator saw ${this.violations.length} mismatch(es) with GitHub's OpenAPI description:\n` +
        this.violations.map((violation) => `  - ${violation}`).join('\n')
    )
  }

  async close(): Promise<void> {
    try {
      await new Promise<void>((resolve, reject) => {
        this.server.close((error) => (error === undefined ? resolve() : reject(error)))
        this.server.closeAllConnections()
      })
    } finally {
      this.git.remove()
    }
  }

  /** Seeds go straight into the state, so they are held to the description's shape here. */
  private checked<T>(schema: string, value: T): T {
    const problems = this.validator.checkSchema(schema, value)
    if (problems.length > 0) {
      throw new Error(
        `Seeded ${schema} does not match GitHub's OpenAPI description:\n  - ${problems.join('\n  - ')}`
      )
    }
    return value
  }
}

/**
 * The records the endpoints keep, and the git views (`refs`, `commits`, `trees`, `blobs`,
 * `contents`), which read the repository on each access.
 */
function createState(world: () => GitHubWorld, settings: RepositorySettings): GitHubState {
  const state = {
    deployments: [],
    deploymentStatuses: {},
    checkRuns: [],
    commitStatuses: {},
    codeScanningAlerts: [],
    environments: {},
    pullRequests: [],
    issueComments: {},
    settings,
    requiredChecks: {},
    deploymentReviews: {},
    pendingDeployments: {}
  }
  const views = {
    refs: () => Object.fromEntries(world().git.refs()),
    commits: () => allObjects(world(), 'commit'),
    trees: () => allObjects(world(), 'tree'),
    blobs: () => allObjects(world(), 'blob'),
    contents: () => branchContents(world())
  }
  for (const [name, get] of Object.entries(views)) {
    Object.defineProperty(state, name, { get, enumerable: true })
  }
  return state as unknown as GitHubState
}
