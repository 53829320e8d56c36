/**
 * A GitHub REST API emulator for tests: a real HTTP server on 127.0.0.1 serving the operations in
 * operations.ts, which checks every request and every answer against GitHub's OpenAPI description
 * (openapi/api.github.com.subset.json, refreshed by scripts/extract-github-openapi.ts).
 *
 *   const github = await startGitHubEmulator()
 *   const octokit = getOctokit(github.token, { baseUrl: github.url })
 *   afterEach(() => github.assertNoViolations())
 */
export {
  startGitHubEmulator,
  type CheckRunSeed,
  type CommitStatusSeed,
  type DeploymentSeed,
  type GitHubEmulator,
  type GitHubEmulatorOptions
} from './emulator.js'
export type { CodeScanningAlertSeed } from './endpoints/code-scanning.js'
export type { EnvironmentSeed, ProtectionRuleSeed, ReviewerSeed } from './endpoints/environments.js'
export type { DeploymentReviewSeed, PendingDeploymentSeed } from './endpoints/workflow-runs.js'
export type { MergeMethod } from './merging.js'
export type { PermissionRule } from './permission-rules.js'
export type { RecordedRequest } from './request-handler.js'
export type * from './state.js'
