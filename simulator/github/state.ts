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
  /** Full ref name (`refs/heads/main`) to commit sha. */
  refs: { [ref: string]: string }
  /** Git objects by sha; shas are real git object ids of the content. */
  commits: { [sha: string]: GitCommit }
  trees: { [sha: string]: GitTree }
  blobs: { [sha: string]: Blob }
  /** Derived, read-only: each branch's files as UTF-8 text, by path (`{ main: { 'README.md': '...' } }`). */
  readonly contents: { [branch: string]: { [path: string]: string } }
}
