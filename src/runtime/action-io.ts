/**
 * Input, output and state names, defined once. action.yml files and the settings readers
 * both come from these names; scripts/lint-actions.ts checks every action.yml against them.
 */
export const Input = {
  Stage: 'stage',
  Environment: 'environment',
  Sha: 'sha',
  Image: 'image',
  FromUpstream: 'from-upstream',
  Config: 'config',
  Kubeconfig: 'kubeconfig',
  GithubToken: 'github-token',
  DryRun: 'dry-run',
  Mode: 'mode',
  Timeout: 'timeout',
  LockTimeout: 'lock-timeout',
  Rollback: 'rollback',
  FreezeOverride: 'freeze-override',
  OnFailure: 'on-failure',
  DeploymentId: 'deployment-id',
  EnvironmentUrl: 'environment-url',
  AllowDowngrade: 'allow-downgrade',
  RequireGates: 'require-gates',
  FailOn: 'fail-on',
  // lock / unlock
  Reason: 'reason',
  HoldFor: 'hold-for',
  UnlockAtJobEnd: 'unlock-at-job-end'
} as const
export type InputName = (typeof Input)[keyof typeof Input]

export const Output = {
  // gate
  Passed: 'passed',
  FailedGates: 'failed-gates',
  Report: 'report',
  CheckRunId: 'check-run-id',
  // promote
  DeploymentId: 'deployment-id',
  Image: 'image',
  Digest: 'digest',
  PreviousImages: 'previous-images',
  Revisions: 'revisions',
  RolledBack: 'rolled-back',
  Result: 'result',
  PullRequestUrl: 'pull-request-url',
  // verify
  Healthy: 'healthy',
  Latencies: 'latencies',
  // check
  Drift: 'drift',
  // lock / unlock
  Holder: 'holder',
  ExpiresAt: 'expires-at',
  Leases: 'leases',
  Released: 'released'
} as const
export type OutputName = (typeof Output)[keyof typeof Output]

/** Values handed from a main step to its post step through GITHUB_STATE. */
export const State = {
  /** Saved by every main step; a post step finds it set (as actions/checkout does). */
  IsPost: 'isPost',
  LockHeld: 'lock-held',
  DeploymentId: 'deployment-id',
  /** What the main step is about to change and what to restore, saved before the first patch. */
  Plan: 'plan',
  Finished: 'finished'
} as const
export type StateName = (typeof State)[keyof typeof State]

/**
 * The runner's file and environment protocol, as one small interface. The real one is
 * @actions/core (runner-io.ts); tests use an in-memory one.
 */
export interface ActionIO {
  /** The raw input, trimmed; '' when unset. */
  getInput(name: InputName): string
  setOutput(name: OutputName, value: string): void
  saveState(name: StateName, value: string): void
  getState(name: StateName): string
  /** Appends markdown to the job summary. */
  appendSummary(markdown: string): Promise<void>
  /** Fails the step with one error annotation (titled when `title` is given) and exit code 1. */
  setFailed(message: string, title?: string): void
}
