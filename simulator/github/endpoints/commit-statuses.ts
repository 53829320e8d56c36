import type { components } from '@octokit/openapi-types'
import type { EndpointRequest, EndpointTable } from '../endpoint.js'
import { resolveCommitish } from '../git-store.js'
import { unprocessable } from '../http-error.js'
import { paginate } from '../pagination.js'
import type { CommitStatus, RequestBody } from '../state.js'
import type { GitHubWorld } from '../world.js'

/**
 * Commit statuses (the older, context-keyed checks). The combined status takes the newest status
 * per context: `failure` if any is error or failure, `pending` if any is pending or there are
 * none at all, otherwise `success`. Commit shas are not checked against the git objects, so tests
 * can report statuses on any sha.
 */
export type CommitStatusInput = RequestBody<'repos/create-commit-status'>

export function createCommitStatus(world: GitHubWorld, sha: string, input: CommitStatusInput): CommitStatus {
  const id = world.nextId('status', 10_000_001)
  const now = world.now()
  const status: CommitStatus = {
    id,
    node_id: world.nodeId('SC', id),
    url: `${world.repoUrl}/statuses/${sha}`,
    avatar_url: world.actor.avatar_url,
    state: input.state,
    description: input.description ?? null,
    target_url: input.target_url ?? null,
    context: input.context ?? 'default',
    created_at: now,
    updated_at: now,
    creator: world.actor
  }
  ;(world.state.commitStatuses[sha] ??= []).push(status)
  return status
}

/** The newest status of each context on a commit, newest first. */
export function latestStatuses(world: GitHubWorld, sha: string): CommitStatus[] {
  const latest = new Map<string, CommitStatus>()
  for (const status of world.state.commitStatuses[sha] ?? []) latest.set(status.context, status)
  return [...latest.values()].sort((left, right) => right.id - left.id)
}

export function combinedState(statuses: CommitStatus[]): 'failure' | 'pending' | 'success' {
  if (statuses.some((status) => status.state === 'error' || status.state === 'failure')) return 'failure'
  if (statuses.length === 0 || statuses.some((status) => status.state === 'pending')) return 'pending'
  return 'success'
}

function commitSha(request: EndpointRequest): string {
  const ref = String(request.params.ref)
  const sha = resolveCommitish(request.world, ref)
  if (sha === undefined) throw unprocessable(`No commit found for SHA: ${ref}`)
  return sha
}

function simpleStatus(status: CommitStatus): components['schemas']['simple-commit-status'] {
  const { creator: _creator, ...simple } = status
  return simple
}

export const commitStatusEndpoints = {
  'repos/create-commit-status': (request) => {
    const status = createCommitStatus(
      request.world,
      String(request.params.sha),
      request.body as CommitStatusInput
    )
    return { status: 201, body: status, headers: { location: status.url } }
  },

  'repos/list-commit-statuses-for-ref': (request) => {
    const statuses = [...(request.world.state.commitStatuses[commitSha(request)] ?? [])].reverse()
    const page = paginate(statuses, request)
    return { status: 200, body: page.items, headers: page.headers }
  },

  'repos/get-combined-status-for-ref': (request) => {
    const sha = commitSha(request)
    const latest = latestStatuses(request.world, sha)
    const page = paginate(latest, request)
    return {
      status: 200,
      headers: page.headers,
      body: {
        state: combinedState(latest),
        statuses: page.items.map(simpleStatus),
        sha,
        total_count: latest.length,
        repository: request.world.repository(),
        commit_url: `${request.world.repoUrl}/commits/${sha}`,
        url: `${request.world.repoUrl}/commits/${sha}/status`
      }
    }
  }
} satisfies Partial<EndpointTable>
