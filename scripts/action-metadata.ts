/**
 * Every action.yml in the repository is generated from this table (npm run schema writes
 * them, the dist check fails when one is stale), so an input has one name, one
 * description and one default wherever it appears.
 */
import { Input, Output, type InputName, type OutputName } from '../src/runtime/action-io.js'

interface InputSpec {
  description: string
  required?: boolean
  default?: string
}

export const inputs: Record<InputName, InputSpec> = {
  [Input.Stage]: {
    description:
      'Which stage to run: gate, promote, verify, all (the three in order), or check (the drift report across every environment pair).',
    default: 'all'
  },
  [Input.Environment]: {
    description: 'The environment to promote into, as named in the promotion config.',
    required: true
  },
  [Input.Sha]: {
    description: 'The commit being promoted. Default: the workflow SHA.',
    default: '${{ github.sha }}'
  },
  [Input.Image]: {
    description:
      'The full image reference to promote (registry/repo:tag or @sha256:digest). Default: image.repository from the config tagged with the SHA.'
  },
  [Input.FromUpstream]: {
    description:
      "true: promote the exact digest the upstream environment's pods run now (read from pod status imageID).",
    default: 'false'
  },
  [Input.Config]: { description: 'Path of the promotion config file.', default: '.github/promotion.yml' },
  [Input.Kubeconfig]: {
    description:
      'kubeconfig file content, YAML or base64 (a secret). Default: KUBECONFIG, then the in-cluster service account. Masked before anything is logged and loaded in memory, never written to disk.'
  },
  [Input.GithubToken]: {
    description: 'Token for Deployments, check runs and statuses.',
    default: '${{ github.token }}'
  },
  [Input.DryRun]: {
    description: 'true: validate, run server-side dry-runs and print the plan; change nothing.',
    default: 'false'
  },
  [Input.Mode]: {
    description:
      'Gate mode: enforce (fail the step when a gate fails) or report (never fail; the check run carries the verdict). Default: report on pull_request events, enforce otherwise.'
  },
  [Input.Timeout]: { description: 'Overrides the stage timeout from the config (e.g. 10m).' },
  [Input.LockTimeout]: { description: 'How long to wait in line for the environment lock (e.g. 15m).' },
  [Input.Rollback]: {
    description: 'auto: roll back to the recorded revision when the rollout fails; never: leave it.'
  },
  [Input.FreezeOverride]: {
    description: 'A reason to promote inside a freeze window; recorded in the summary and the check run.'
  },
  [Input.OnFailure]: { description: 'Verify stage: rollback or report when the environment is unhealthy.' },
  [Input.DeploymentId]: {
    description:
      "Verify stage: the promote stage's deployment-id output. Default: found by environment and SHA."
  },
  [Input.EnvironmentUrl]: {
    description: 'The URL recorded on the GitHub Deployment. Default: url from the config.'
  },
  [Input.AllowDowngrade]: {
    description:
      'true: promote a commit older than the one the environment runs (GitHub compare says it is behind). Default: refuse.',
    default: 'false'
  },
  [Input.RequireGates]: {
    description:
      'true: refuse a commit whose "promotion gates (<environment>)" check run did not succeed, unless the gates ran in this step (stage: all). Environments without gates are not checked.',
    default: 'true'
  },
  [Input.FailOn]: {
    description:
      'Check stage: drift fails the step when any check finds drift (or cannot finish); never only reports it.',
    default: 'never'
  },
  [Input.Reason]: {
    description:
      'Lock: why the environment is locked (one line, up to 300 characters), shown to every promotion that waits, e.g. "rotating the database password". Public in logs: never put a secret here.',
    required: true
  },
  [Input.HoldFor]: {
    description:
      'Lock: how long the lock holds without being renewed (the Lease duration, 1m to 24h): unlock releases it earlier; a rotation whose runner died stops blocking promotions this long after they first see it. Longer than the rotation takes.',
    default: '30m'
  },
  [Input.UnlockAtJobEnd]: {
    description:
      "Lock: true releases the lock after the job (the action's post step) if the workflow did not run unlock; false keeps it past the job for a rotation that spans jobs (unlock in a later job, or it expires after hold-for).",
    default: 'true'
  }
}

export const outputs: Record<OutputName, string> = {
  [Output.Passed]: 'Gate: true when every gate passed.',
  [Output.FailedGates]: 'Gate: JSON list of the gates that failed, errored or are pending.',
  [Output.Report]: 'Gate, verify and check: the full report as JSON (check: the drift report).',
  [Output.CheckRunId]: 'Gate: the id of the "promotion gates (<environment>)" check run.',
  [Output.DeploymentId]: 'Promote: the GitHub Deployment id.',
  [Output.Image]: 'Promote: the image reference promoted (by digest when known).',
  [Output.Digest]: 'Promote: the image digest, when known.',
  [Output.PreviousImages]:
    'Promote: JSON map of cluster/namespace/kind/name/container to the image it ran before.',
  [Output.Revisions]: 'Promote: JSON map of target to the revision recorded before patching and the new one.',
  [Output.RolledBack]: 'Promote: true when a failed rollout was rolled back.',
  [Output.Result]:
    'Promote: success, failure, rolled-back, unchanged or dry-run; in gitops mode pull-request-opened, merged, committed, unchanged or dry-run.',
  [Output.PullRequestUrl]: 'Promote (gitops mode): the URL of the promotion pull request.',
  [Output.Healthy]: 'Verify: true when every health check passed.',
  [Output.Latencies]: 'Verify: JSON map of check name to {p50, p95} latency in ms.',
  [Output.Drift]: 'Check: true when any environment check found drift or could not finish.',
  [Output.Holder]:
    'Lock: the holder written on the Leases (owner/repo/run_id/attempt); unlock releases what it holds.',
  [Output.ExpiresAt]:
    'Lock: when the lock expires unless unlocked (ISO 8601, runner clock): the first Lease taken plus hold-for.',
  [Output.Leases]: 'Lock and unlock: JSON list of the Leases, as cluster/namespace/name.',
  [Output.Released]:
    'Unlock: true when this run still held every Lease and released it; false when one had been released already or had expired and was taken by another run.'
}

export interface ActionSpec {
  dir: string
  name: string
  description: string
  main: string
  post?: string
  inputs: InputName[]
  outputs: OutputName[]
}

const common: InputName[] = [Input.Environment, Input.Sha, Input.Config, Input.Kubeconfig, Input.GithubToken]
const gateInputs: InputName[] = [...common, Input.Mode, Input.FreezeOverride, Input.Timeout]
const promoteInputs: InputName[] = [
  ...common,
  Input.Image,
  Input.FromUpstream,
  Input.DryRun,
  Input.Timeout,
  Input.LockTimeout,
  Input.Rollback,
  Input.AllowDowngrade,
  Input.RequireGates
]
const verifyInputs: InputName[] = [
  ...common,
  Input.Image,
  Input.DeploymentId,
  Input.OnFailure,
  Input.EnvironmentUrl,
  Input.Timeout
]
const gateOutputs: OutputName[] = [Output.Passed, Output.FailedGates, Output.Report, Output.CheckRunId]
const promoteOutputs: OutputName[] = [
  Output.DeploymentId,
  Output.Image,
  Output.Digest,
  Output.PreviousImages,
  Output.Revisions,
  Output.RolledBack,
  Output.Result,
  Output.PullRequestUrl
]
const verifyOutputs: OutputName[] = [Output.Healthy, Output.Report, Output.Latencies]
const checkInputs: InputName[] = [Input.Sha, Input.Config, Input.Kubeconfig, Input.GithubToken, Input.FailOn]
const checkOutputs: OutputName[] = [Output.Drift, Output.Report]
const lockCommon: InputName[] = [Input.Environment, Input.Config, Input.Kubeconfig]

const unique = <T>(items: T[]) => [...new Set(items)]

export const actions: ActionSpec[] = [
  {
    dir: '.',
    name: 'promote-action',
    description:
      'Promote a release between environments: gates, a locked Kubernetes rollout with rollback, health verification, GitHub Deployment records.',
    main: 'dist/main/index.js',
    post: 'dist/main/index.js',
    inputs: unique([Input.Stage, ...gateInputs, ...promoteInputs, ...verifyInputs, ...checkInputs]),
    outputs: unique([...gateOutputs, ...promoteOutputs, ...verifyOutputs, ...checkOutputs])
  },
  {
    dir: 'gate',
    name: 'promote-action/gate',
    description:
      'May this SHA promote into the environment? Runs the configured gates and reports a check run and job summary.',
    main: '../dist/gate/index.js',
    inputs: gateInputs,
    outputs: gateOutputs
  },
  {
    dir: 'promote',
    name: 'promote-action/promote',
    description:
      "Promote an image into the environment's workloads under a lock, wait for the rollout, roll back on failure.",
    main: '../dist/promote/index.js',
    post: '../dist/promote/index.js',
    inputs: promoteInputs,
    outputs: promoteOutputs
  },
  {
    dir: 'verify',
    name: 'promote-action/verify',
    description:
      'Verify the environment is healthy on the promoted version and close the GitHub Deployment record.',
    main: '../dist/verify/index.js',
    inputs: verifyInputs,
    outputs: verifyOutputs
  },
  {
    dir: 'check',
    name: 'promote-action/check',
    description:
      'The drift report: parity, config, secrets, disruption, capacity and TLS checks across every environment pair, as a job summary and JSON, for a scheduled workflow.',
    main: '../dist/check/index.js',
    inputs: checkInputs,
    outputs: checkOutputs
  },
  {
    dir: 'lock',
    name: 'promote-action/lock',
    description:
      'Take the environment lock that promotions take (for a secret rotation), with a reason every waiting promotion shows; held for hold-for or until unlock.',
    main: '../dist/lock/index.js',
    post: '../dist/lock/index.js',
    inputs: [...lockCommon, Input.Reason, Input.HoldFor, Input.LockTimeout, Input.UnlockAtJobEnd],
    outputs: [Output.Holder, Output.ExpiresAt, Output.Leases]
  },
  {
    dir: 'unlock',
    name: 'promote-action/unlock',
    description: 'Release the environment lock this workflow run took with promote-action/lock.',
    main: '../dist/unlock/index.js',
    inputs: lockCommon,
    outputs: [Output.Released, Output.Leases]
  }
]

export function renderActionYaml(spec: ActionSpec): string {
  const lines = [
    '# Generated by scripts/generate-metadata.ts from scripts/action-metadata.ts; do not edit.',
    `name: ${JSON.stringify(spec.name)}`,
    `description: ${JSON.stringify(spec.description)}`,
    'author: promote-action maintainers',
    'branding:',
    '  icon: arrow-up-circle',
    '  color: blue',
    'inputs:'
  ]
  for (const name of spec.inputs) {
    const input = inputs[name]
    lines.push(
      `  ${name}:`,
      `    description: ${JSON.stringify(input.description)}`,
      `    required: ${input.required ?? false}`
    )
    if (input.default !== undefined) lines.push(`    default: ${JSON.stringify(input.default)}`)
  }
  lines.push('outputs:')
  for (const name of spec.outputs)
    lines.push(`  ${name}:`, `    description: ${JSON.stringify(outputs[name])}`)
  lines.push('runs:', '  using: node24', `  main: ${spec.main}`)
  if (spec.post) lines.push(`  post: ${spec.post}`, "  post-if: 'always()'")
  return `${lines.join('\n')}\n`
}
