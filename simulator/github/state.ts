import type { components, operations } from '@octokit/openapi-types'

/**
 * What the emulated repository holds. Every record is stored in the shape GitHub's description
 * gives it (the @octokit/openapi-types generated from the same description version), so a test can
 * read the state as it would read an API answer.
 */
type Schemas = components['schemas']

/** The generated types allow `bigint` for int64 fields; JSON.parse and the emulator only make numbers. */
export type Plain<T> = T extends bigint
  ? never
  : T extends Array<infer Item>
    ? Array<Plain<Item>>
    : T extends object
      ? { [Key in keyof T]: Plain<T[Key]> }
      : T

export type SimpleUser = Plain<Schemas['simple-user']>
export type Integration = Plain<NonNullable<Schemas['nullable-integration']>>
export type Team = Plain<Schemas['team']>
export type FullRepository = Plain<Schemas['full-repository']>
export type Deployment = Plain<Schemas['deployment']>
export type DeploymentStatus = Plain<Schemas['deployment-status']>
export type CheckRun = Plain<Schemas['check-run']>
export type CommitStatus = Plain<Schemas['status']>
export type CodeScanningAlert = Plain<Schemas['code-scanning-alert-items']>
export type Environment = Plain<Schemas['environment']>
export type PullRequest = Plain<Schemas['pull-request']>
export type GitCommit = Plain<Schemas['git-commit']>
export type GitTree = Plain<Schemas['git-tree']>
export type Blob = Plain<Schemas['blob']>
export type IssueComment = Plain<Schemas['issue-comment']>
export type EnvironmentApproval = Plain<Schemas['environment-approvals']>
export type PendingDeployment = Plain<Schemas['pending-deployment']>
export type AutoMerge = Plain<NonNullable<Schemas['auto-merge']>>

/** The repository settings `GET /repos/{owner}/{repo}` reports and merging obeys (GitHub's defaults). */
export interface RepositorySettings {
  /** Off by default, as on GitHub: `enablePullRequestAutoMerge` fails until it is on. */
  allow_auto_merge: boolean
  allow_merge_commit: boolean
  allow_squash_merge: boolean
  allow_rebase_merge: boolean
  /** Deletes a merged pull request's head branch. */
  delete_branch_on_merge: boolean
}

/** The JSON request body of an operation, as documented. */
export type RequestBody<Id extends keyof operations> = operations[Id] extends {
  requestBody?: { content: { 'application/json': infer Body } }
}
  ? Plain<Body>
  : never

export interface GitHubState {
  /** Oldest first; the API lists them newest first. */
  deployments: Deployment[]
  /** By deployment id, oldest first. */
  deploymentStatuses: { [deploymentId: number]: DeploymentStatus[] }
  checkRuns: CheckRun[]
  /** By commit sha, oldest first. */
  commitStatuses: { [sha: string]: CommitStatus[] }
  codeScanningAlerts: CodeScanningAlert[]
  /** By environment name. */
  environments: { [name: string]: Environment }
  pullRequests: PullRequest[]
  /** Comments on pull requests (GitHub's issue comments), by pull request number, oldest first. */
  issueComments: { [issueNumber: number]: IssueComment[] }
  settings: RepositorySettings
  /** The branch protection's required status checks (check run names or status contexts), by branch. */
  requiredChecks: { [branch: string]: string[] }
  /** A workflow run's deployment reviews, oldest first, by run id. */
  deploymentReviews: { [runId: number]: EnvironmentApproval[] }
  /** The environments a workflow run waits for, by run id. */
  pendingDeployments: { [runId: number]: PendingDeployment[] }
  /**
   * Read from the bare git repository (`gitDir`) on each access; change them through the API or
   * the seeding helpers. Full ref name (`refs/heads/main`) to commit sha.
   */
  readonly refs: { readonly [ref: string]: string }
  /** Every git object in the repository by sha, rendered as the git data API renders it. */
  readonly commits: { readonly [sha: string]: GitCommit }
  readonly trees: { readonly [sha: string]: GitTree }
  readonly blobs: { readonly [sha: string]: Blob }
  /** Each branch's files as UTF-8 text, by path (`{ main: { 'README.md': '...' } }`). */
  readonly contents: { [branch: string]: { [path: string]: string } }
}
