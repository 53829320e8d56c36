import type { EndpointTable } from '../endpoint.js'
import { notFound } from '../http-error.js'
import type { EnvironmentApproval, PendingDeployment } from '../state.js'
import type { GitHubWorld } from '../world.js'
import { ensureEnvironment, reviewerOf, type ReviewerSeed } from './environments.js'

/**
 * A workflow run's deployment reviews: the environments it waits for (`pending_deployments`) and
 * the review history (`approvals`: who approved or rejected which environments, with what
 * comment). Runs exist only through the seeding helpers; any other run id is 404. A review takes
 * the environments it names off the run's pending list, as a reviewer's decision does on GitHub.
 * GitHub's review record carries no time of its own: only the environments' created_at/updated_at.
 */
export interface PendingDeploymentSeed {
  environment: string
  /** Default: the environment's wait timer rule, else 0. */
  wait_timer?: number
  /** Default: now when there is a wait timer, else null. */
  wait_timer_started_at?: string | null
  /** Default: the environment's required reviewers. */
  reviewers?: ReviewerSeed[]
  /** Default true. */
  current_user_can_approve?: boolean
}

export interface DeploymentReviewSeed {
  environments: string[]
  state: EnvironmentApproval['state']
  /** Login of the reviewer. */
  user: string
  comment?: string
}

export function addPendingDeployment(
  world: GitHubWorld,
  runId: number,
  seed: PendingDeploymentSeed
): PendingDeployment {
  const environment = ensureEnvironment(world, seed.environment)
  const rules = environment.protection_rules ?? []
  const timer = rules.find((rule) => rule.type === 'wait_timer') as { wait_timer?: number } | undefined
  const reviewersRule = rules.find((rule) => rule.type === 'required_reviewers') as
    { reviewers?: PendingDeployment['reviewers'] } | undefined
  const waitTimer = seed.wait_timer ?? timer?.wait_timer ?? 0
  const pending: PendingDeployment = {
    environment: {
      id: environment.id,
      node_id: environment.node_id,
      name: environment.name,
      url: environment.url,
      html_url: environment.html_url
    },
    wait_timer: waitTimer,
    wait_timer_started_at: seed.wait_timer_started_at ?? (waitTimer > 0 ? world.now() : null),
    current_user_can_approve: seed.current_user_can_approve ?? true,
    reviewers:
      seed.reviewers === undefined
        ? (reviewersRule?.reviewers ?? [])
        : seed.reviewers.map((reviewer) => reviewerOf(world, reviewer))
  }
  const list = (world.state.pendingDeployments[runId] ??= [])
  const index = list.findIndex((existing) => existing.environment.name === seed.environment)
  if (index >= 0) list[index] = pending
  else list.push(pending)
  world.state.deploymentReviews[runId] ??= []
  return pending
}

export function reviewDeployments(
  world: GitHubWorld,
  runId: number,
  seed: DeploymentReviewSeed
): EnvironmentApproval {
  const review: EnvironmentApproval = {
    environments: seed.environments.map((name) => {
      const environment = ensureEnvironment(world, name)
      return {
        id: environment.id,
        node_id: environment.node_id,
        name: environment.name,
        url: environment.url,
        html_url: environment.html_url,
        created_at: environment.created_at,
        updated_at: environment.updated_at
      }
    }),
    state: seed.state,
    user: world.user(seed.user),
    comment: seed.comment ?? ''
  }
  ;(world.state.deploymentReviews[runId] ??= []).push(review)
  if (seed.state !== 'pending') {
    world.state.pendingDeployments[runId] = (world.state.pendingDeployments[runId] ?? []).filter(
      (pending) => !seed.environments.includes(pending.environment.name ?? '')
    )
  }
  return review
}

function knownRun(world: GitHubWorld, runId: unknown): number {
  const id = runId as number
  if (world.state.deploymentReviews[id] === undefined && world.state.pendingDeployments[id] === undefined)
    throw notFound()
  return id
}

export const workflowRunEndpoints = {
  'actions/get-reviews-for-run': (request) => {
    const id = knownRun(request.world, request.params.run_id)
    return { status: 200, body: request.world.state.deploymentReviews[id] ?? [] }
  },

  'actions/get-pending-deployments-for-run': (request) => {
    const id = knownRun(request.world, request.params.run_id)
    return { status: 200, body: request.world.state.pendingDeployments[id] ?? [] }
  }
} satisfies Partial<EndpointTable>
