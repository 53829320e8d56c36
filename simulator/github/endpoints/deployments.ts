import type { EndpointRequest, EndpointTable } from '../endpoint.js'
import { branchSha, isAncestor, moveRef, resolveCommitish, writeCommit } from '../git-store.js'
import { conflict, notFound, unprocessable, validationFailed } from '../http-error.js'
import { paginate } from '../pagination.js'
import type { Deployment, DeploymentStatus, RequestBody } from '../state.js'
import type { GitHubWorld } from '../world.js'
import { latestCheckRuns } from './check-runs.js'
import { latestStatuses } from './commit-statuses.js'
import { ensureEnvironment } from './environments.js'

/**
 * Deployments and their statuses, as the REST docs describe them:
 * - `auto_merge` (default true) merges the default branch into a branch that is behind it; GitHub
 *   then answers 202 without creating the deployment (409 when the merge conflicts).
 * - `required_contexts` omitted means every context on the commit (commit statuses and check runs,
 *   newest per name) must have succeeded, else 409; `[]` skips the check.
 * - `production_environment` defaults to true only for an environment named `production`; a new
 *   environment name creates that environment.
 * - A `success` status with `auto_inactive` (default true) adds an `inactive` status to every
 *   earlier deployment to the same environment whose newest status is `success`, unless that
 *   deployment is transient or production.
 * - `log_url` and `target_url` stand in for each other; `description` is at most 140 characters.
 */
export type DeploymentCreate = RequestBody<'repos/create-deployment'>
export type DeploymentStatusCreate = RequestBody<'repos/create-deployment-status'>

const PASSING_CHECK_CONCLUSIONS = new Set(['success', 'neutral', 'skipped'])

export function createDeployment(world: GitHubWorld, input: DeploymentCreate & { sha: string }): Deployment {
  const environment = input.environment ?? 'production'
  const id = world.nextId('deployment', 1_000_001)
  const now = world.now()
  const url = `${world.repoUrl}/deployments/${id}`
  const deployment: Deployment = {
    id,
    node_id: world.nodeId('DE', id),
    url,
    sha: input.sha,
    ref: input.ref,
    task: input.task ?? 'deploy',
    payload: input.payload ?? {},
    original_environment: environment,
    environment,
    description: input.description === undefined ? '' : input.description,
    creator: world.actor,
    created_at: now,
    updated_at: now,
    statuses_url: `${url}/statuses`,
    repository_url: world.repoUrl,
    transient_environment: input.transient_environment ?? false,
    production_environment: input.production_environment ?? environment === 'production',
    performed_via_github_app: world.app()
  }
  world.state.deployments.push(deployment)
  world.state.deploymentStatuses[id] = []
  ensureEnvironment(world, environment)
  return deployment
}

export function createDeploymentStatus(
  world: GitHubWorld,
  deployment: Deployment,
  input: DeploymentStatusCreate
): DeploymentStatus {
  const description = input.description ?? ''
  if (description.length > 140) {
    throw validationFailed([
      {
        resource: 'DeploymentStatus',
        code: 'custom',
        field: 'description',
        message: 'description is too long (maximum is 140 characters)'
      }
    ])
  }
  for (const field of ['log_url', 'target_url', 'environment_url'] as const) {
    const value = input[field]
    if (value !== undefined && value !== '' && !/^https?:\/\/[^\s]+$/.test(value)) {
      throw validationFailed([
        { resource: 'DeploymentStatus', code: 'custom', field, message: `${field} must be a valid URL` }
      ])
    }
  }
  if (input.environment !== undefined && input.environment !== deployment.environment) {
    deployment.environment = input.environment
    ensureEnvironment(world, input.environment)
  }
  const status = addStatus(world, deployment, {
    state: input.state,
    description,
    logUrl: input.log_url || input.target_url || '',
    environmentUrl: input.environment_url ?? ''
  })
  if (input.state === 'success' && input.auto_inactive !== false)
    inactivateEarlierDeployments(world, deployment)
  return status
}

function addStatus(
  world: GitHubWorld,
  deployment: Deployment,
  fields: { state: DeploymentStatus['state']; description: string; logUrl: string; environmentUrl: string }
): DeploymentStatus {
  const id = world.nextId('deployment-status', 5_000_001)
  const now = world.now()
  const status: DeploymentStatus = {
    id,
    node_id: world.nodeId('DES', id),
    url: `${deployment.url}/statuses/${id}`,
    state: fields.state,
    creator: world.actor,
    description: fields.description,
    environment: deployment.environment,
    target_url: fields.logUrl,
    log_url: fields.logUrl,
    environment_url: fields.environmentUrl,
    created_at: now,
    updated_at: now,
    deployment_url: deployment.url,
    repository_url: world.repoUrl,
    performed_via_github_app: world.app()
  }
  ;(world.state.deploymentStatuses[deployment.id] ??= []).push(status)
  deployment.updated_at = now
  return status
}

function inactivateEarlierDeployments(world: GitHubWorld, current: Deployment): void {
  for (const deployment of world.state.deployments) {
    if (deployment.id >= current.id || deployment.environment !== current.environment) continue
    if (deployment.transient_environment === true || deployment.production_environment === true) continue
    if (newestStatus(world, deployment)?.state !== 'success') continue
    addStatus(world, deployment, { state: 'inactive', description: '', logUrl: '', environmentUrl: '' })
  }
}

export function newestStatus(world: GitHubWorld, deployment: Deployment): DeploymentStatus | undefined {
  return world.state.deploymentStatuses[deployment.id]?.at(-1)
}

function findDeployment(world: GitHubWorld, id: unknown): Deployment {
  const deployment = world.state.deployments.find((candidate) => candidate.id === id)
  if (deployment === undefined) throw notFound()
  return deployment
}

/** GitHub's auto-merge: bring the default branch into a branch that is behind it. */
function autoMerge(world: GitHubWorld, ref: string): string | undefined {
  const branch = ref.replace(/^refs\/heads\//, '')
  const head = branchSha(world, branch)
  const defaultHead = branchSha(world, world.defaultBranch)
  if (head === undefined || defaultHead === undefined || branch === world.defaultBranch) return undefined
  if (isAncestor(world, defaultHead, head)) return undefined
  const merged = world.git.mergeTrees(head, defaultHead)
  if (!('tree' in merged)) throw conflict(`Conflict merging ${world.defaultBranch} into ${branch}.`)
  const commit = writeCommit(world, {
    message: `Merge branch '${world.defaultBranch}' into ${branch}`,
    tree: merged.tree,
    parents: [head, defaultHead]
  })
  if (!moveRef(world, `refs/heads/${branch}`, commit.sha, head))
    throw conflict(`Conflict merging ${world.defaultBranch} into ${branch}.`)
  return `Auto-merged ${world.defaultBranch} into ${branch} on deployment.`
}

function checkRequiredContexts(
  world: GitHubWorld,
  ref: string,
  sha: string,
  required: string[] | undefined
): void {
  const contexts = new Map<string, string>()
  for (const run of latestCheckRuns(
    world.state.checkRuns.filter((candidate) => candidate.head_sha === sha)
  )) {
    contexts.set(run.name, run.conclusion ?? run.status)
  }
  for (const status of latestStatuses(world, sha)) contexts.set(status.context, status.state)
  const names = required ?? [...contexts.keys()]
  const results = names.map((context) => ({ context, state: contexts.get(context) ?? 'missing' }))
  if (results.every((result) => result.state === 'success' || PASSING_CHECK_CONCLUSIONS.has(result.state)))
    return
  throw conflict(`Conflict: Commit status checks failed for ${ref}.`, {
    errors: [{ contexts: results, resource: 'Deployment', field: 'required_contexts' }]
  })
}

function listDeployments(request: EndpointRequest): Deployment[] {
  const filters = (['sha', 'ref', 'task', 'environment'] as const).flatMap((name) => {
    const value = request.query[name]
    return value === undefined || value === null || value === 'none' ? [] : [[name, String(value)] as const]
  })
  return request.world.state.deployments
    .filter((deployment) => filters.every(([name, value]) => deployment[name] === value))
    .sort((left, right) => right.id - left.id)
}

export const deploymentEndpoints = {
  'repos/create-deployment': (request) => {
    const { world } = request
    const body = request.body as DeploymentCreate
    if (resolveCommitish(world, body.ref) === undefined) throw unprocessable(`No ref found for: ${body.ref}`)
    if (body.auto_merge !== false) {
      const merged = autoMerge(world, body.ref)
      if (merged !== undefined) return { status: 202, body: { message: merged } }
    }
    const sha = resolveCommitish(world, body.ref) as string
    checkRequiredContexts(world, body.ref, sha, body.required_contexts)
    const deployment = createDeployment(world, { ...body, sha })
    return { status: 201, body: deployment, headers: { location: deployment.url } }
  },

  'repos/list-deployments': (request) => {
    const page = paginate(listDeployments(request), request)
    return { status: 200, body: page.items, headers: page.headers }
  },

  'repos/get-deployment': (request) => ({
    status: 200,
    body: findDeployment(request.world, request.params.deployment_id)
  }),

  'repos/create-deployment-status': (request) => {
    const deployment = findDeployment(request.world, request.params.deployment_id)
    const status = createDeploymentStatus(request.world, deployment, request.body as DeploymentStatusCreate)
    return { status: 201, body: status, headers: { location: status.url } }
  },

  'repos/list-deployment-statuses': (request) => {
    const deployment = findDeployment(request.world, request.params.deployment_id)
    const statuses = [...(request.world.state.deploymentStatuses[deployment.id] ?? [])].reverse()
    const page = paginate(statuses, request)
    return { status: 200, body: page.items, headers: page.headers }
  }
} satisfies Partial<EndpointTable>
