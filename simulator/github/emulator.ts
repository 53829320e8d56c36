import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createCheckRun, type CheckRunCreate } from './endpoints/check-runs.js'
import { addCodeScanningAlert, type CodeScanningAlertSeed } from './endpoints/code-scanning.js'
import { createCommitStatus } from './endpoints/commit-statuses.js'
import { branchContents, putFile } from './endpoints/contents.js'
import {
  createDeployment,
  createDeploymentStatus,
  type DeploymentStatusCreate
} from './endpoints/deployments.js'
import { setEnvironment, type EnvironmentSeed } from './endpoints/environments.js'
import { commitToBranch, setRef, writeBlob } from './git-store.js'
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
  GitHubState
} from './state.js'
import { GitHubWorld } from './world.js'

export interface GitHubEmulatorOptions {
  /** The token clients must send (`Authorization: token X` or `Bearer X`). Default: a random `ghs_` token. */
  token?: string
  owner?: string
  repo?: string
  /** Check requests and responses against GitHub's OpenAPI description. Default true. */
  validate?: boolean
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
  addCheckRun(seed: CheckRunSeed): CheckRun
  addCommitStatus(sha: string, seed: CommitStatusSeed): CommitStatus
  addCodeScanningAlert(seed: CodeScanningAlertSeed): CodeScanningAlert
  addDeployment(seed: DeploymentSeed): Deployment
  setEnvironment(name: string, seed?: EnvironmentSeed): Environment
  /** Commits one file to a branch (default `main`); returns the new commit's sha. */
  putFile(path: string, content: string | Buffer, options?: { branch?: string; message?: string }): string
  /** Creates a branch at another branch's head (default `main`); returns its sha. */
  createBranch(name: string, from?: string): string
  /** Answers matching requests like GitHub does for a token without the permission. Returns a function that lifts the rule. */
  denyPermission(rule: PermissionRule): () => void
  /** Returns the violations recorded so far and forgets them (for tests that provoke one). */
  takeViolations(): string[]
  /** Throws an Error listing every violation. */
  assertNoViolations(): void
  close(): Promise<void>
}

const INITIAL_COMMIT_DATE = '2024-01-15T10:00:00Z'

export async function startGitHubEmulator(options: GitHubEmulatorOptions = {}): Promise<GitHubEmulator> {
  const validator = sharedOpenApiValidator()
  const server = createServer()
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
    this.state = createState(() => branchContents(this.world))
    this.world = new GitHubWorld(this.state, this.owner, this.repo, url)
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
          date: INITIAL_COMMIT_DATE
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

  addCheckRun(seed: CheckRunSeed): CheckRun {
    const { status, ...rest } = seed
    const run = createCheckRun(this.world, {
      ...rest,
      ...(status === 'queued' || status === 'in_progress' || status === 'completed' ? { status } : {})
    } as CheckRunCreate & { app_slug?: string })
    // Seeds may use the statuses only GitHub sets (waiting, requested, pending).
    if (status !== undefined && status !== run.status && seed.conclusion === undefined) run.status = status
    return this.checked('check-run', run)
  }

  addCommitStatus(sha: string, seed: CommitStatusSeed): CommitStatus {
    return this.checked('status', createCommitStatus(this.world, sha, seed))
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
    return putFile(this.world, path, Buffer.isBuffer(content) ? content : Buffer.from(content), options)
      .commit.sha
  }

  createBranch(name: string, from: string = this.world.defaultBranch): string {
    const sha = this.state.refs[`refs/heads/${from}`]
    if (sha === undefined) throw new Error(`Cannot branch '${name}' from '${from}': no such branch.`)
    setRef(this.world, `refs/heads/${name}`, sha)
    return sha
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
    await new Promise<void>((resolve, reject) => {
      this.server.close((error) => (error === undefined ? resolve() : reject(error)))
      this.server.closeAllConnections()
    })
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

function createState(contents: () => GitHubState['contents']): GitHubState {
  const state = {
    deployments: [],
    deploymentStatuses: {},
    checkRuns: [],
    commitStatuses: {},
    codeScanningAlerts: [],
    environments: {},
    pullRequests: [],
    refs: {},
    commits: {},
    trees: {},
    blobs: {}
  }
  return Object.defineProperty(state, 'contents', {
    get: contents,
    enumerable: true
  }) as unknown as GitHubState
}
