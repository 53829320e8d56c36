import { execute, parse, validate, type DocumentNode, type ExecutionResult, type GraphQLError } from 'graphql'
import { botEmail } from './git-store.js'
import { githubGraphQLSchema } from './graphql-schema.js'
import {
  autoMergeRequest,
  mergeability,
  settleAutoMerges,
  type MergeMethod,
  type MergeState
} from './merging.js'
import type { PullRequest, SimpleUser } from './state.js'
import type { GitHubWorld } from './world.js'

/**
 * `POST /graphql`, for what REST cannot do: GitHub turns auto-merge on and off only through the
 * `enablePullRequestAutoMerge` and `disablePullRequestAutoMerge` mutations. Every query is parsed
 * and validated against GitHub's published schema (an invalid one gets GitHub's 200 with `errors`
 * and is recorded as a violation), then executed against the emulated repository. Queries reach
 * `repository(owner, name) { pullRequest(number) }` and `node(id)`; a field the emulator does not
 * fill is null, and a non-null one it does not fill is recorded as a violation (an emulator gap).
 *
 * Refusals follow GitHub: a repository without `allow_auto_merge` ("Auto merge is not allowed for
 * this repository"), and a pull request that could be merged right now (clean or unstable: no
 * required check left to wait for) is refused with "Pull request Pull request is in clean status".
 */
export interface GraphQLCall {
  world: GitHubWorld
  body: unknown
  /** A permission denial matched the request: every top-level field fails with FORBIDDEN. */
  denied: string | undefined
}

export interface GraphQLAnswer {
  status: number
  body: unknown
  /** Problems with the query (the client's) and unfilled fields (the emulator's). */
  violations: string[]
}

type ErrorType = 'NOT_FOUND' | 'UNPROCESSABLE' | 'FORBIDDEN'

/** A refusal in GitHub's words, with GitHub's `type`. */
class GitHubGraphQLFailure extends Error {
  constructor(
    readonly type: ErrorType,
    message: string
  ) {
    super(message)
  }
}

type Resolved = { [field: string]: unknown }

const MERGE_STATE_STATUS: { [state in MergeState]: string } = {
  clean: 'CLEAN',
  unstable: 'UNSTABLE',
  blocked: 'BLOCKED',
  dirty: 'DIRTY',
  draft: 'BLOCKED'
}

export async function answerGraphQL(call: GraphQLCall): Promise<GraphQLAnswer> {
  const request = call.body as { query?: unknown; variables?: unknown; operationName?: unknown } | undefined
  if (typeof request?.query !== 'string') {
    const message = 'A query attribute must be specified and must be a string.'
    return { status: 200, body: { errors: [{ message }] }, violations: [`graphql: ${message}`] }
  }
  const schema = await githubGraphQLSchema()
  let document: DocumentNode
  try {
    document = parse(request.query)
  } catch (error) {
    const problem = error as GraphQLError
    return {
      status: 200,
      body: { errors: [{ message: problem.message, locations: problem.locations }] },
      violations: [`graphql: ${problem.message}`]
    }
  }
  const problems = validate(schema, document)
  if (problems.length > 0) {
    return {
      status: 200,
      body: {
        errors: problems.map((problem) => ({ message: problem.message, locations: problem.locations }))
      },
      violations: problems.map((problem) => `graphql: ${problem.message}`)
    }
  }
  const result = (await execute({
    schema,
    document,
    rootValue: rootResolvers(call),
    variableValues: (request.variables ?? {}) as { [name: string]: unknown },
    operationName: typeof request.operationName === 'string' ? request.operationName : undefined
  })) as ExecutionResult
  settleAutoMerges(call.world)
  const violations: string[] = []
  const errors = (result.errors ?? []).map((error) => {
    const failure = error.originalError
    if (failure instanceof GitHubGraphQLFailure) {
      return { type: failure.type, path: error.path, locations: error.locations, message: failure.message }
    }
    violations.push(`graphql: emulator failed at ${String(error.path?.join('.'))}: ${error.message}`)
    return { path: error.path, locations: error.locations, message: error.message }
  })
  return {
    status: 200,
    body: { data: result.data ?? null, ...(errors.length > 0 ? { errors } : {}) },
    violations
  }
}

function rootResolvers(call: GraphQLCall): Resolved {
  const { world } = call
  const guard = <T>(resolve: () => T): T => {
    if (call.denied !== undefined) throw new GitHubGraphQLFailure('FORBIDDEN', call.denied)
    return resolve()
  }
  return {
    repository: ({ owner, name }: { owner: string; name: string }) =>
      guard(() => {
        if (
          owner.toLowerCase() !== world.owner.toLowerCase() ||
          name.toLowerCase() !== world.repo.toLowerCase()
        )
          throw new GitHubGraphQLFailure(
            'NOT_FOUND',
            `Could not resolve to a Repository with the name '${owner}/${name}'.`
          )
        return repositoryObject(world)
      }),
    node: ({ id }: { id: string }) =>
      guard(() => {
        const pull = world.state.pullRequests.find((candidate) => candidate.node_id === id)
        return pull === undefined ? null : pullRequestObject(world, pull)
      }),
    enablePullRequestAutoMerge: ({ input }: { input: EnableInput }) =>
      guard(() => enableAutoMerge(world, input)),
    disablePullRequestAutoMerge: ({
      input
    }: {
      input: { pullRequestId: string; clientMutationId?: string }
    }) =>
      guard(() => {
        const pull = pullByNodeId(world, input.pullRequestId)
        pull.auto_merge = null
        world.autoMergeEnabledAt.delete(pull.id)
        pull.updated_at = world.now()
        return payload(world, pull, input.clientMutationId)
      })
  }
}

interface EnableInput {
  pullRequestId: string
  mergeMethod?: 'MERGE' | 'SQUASH' | 'REBASE'
  commitHeadline?: string
  commitBody?: string
  authorEmail?: string
  expectedHeadOid?: string
  clientMutationId?: string
}

function enableAutoMerge(world: GitHubWorld, input: EnableInput): Resolved {
  const pull = pullByNodeId(world, input.pullRequestId)
  const refuse = (message: string): never => {
    throw new GitHubGraphQLFailure('UNPROCESSABLE', message)
  }
  if (!world.state.settings.allow_auto_merge) refuse('Auto merge is not allowed for this repository')
  if (pull.state !== 'open') refuse(`Pull request Pull request is ${pull.merged ? 'merged' : 'closed'}`)
  if (pull.draft === true) refuse('Pull request Pull request is in draft state')
  if (input.expectedHeadOid !== undefined && input.expectedHeadOid !== pull.head.sha)
    refuse('Head branch was modified. Review and try the merge again.')
  const method = (input.mergeMethod ?? 'MERGE').toLowerCase() as MergeMethod
  const allowed = {
    merge: world.state.settings.allow_merge_commit,
    squash: world.state.settings.allow_squash_merge,
    rebase: world.state.settings.allow_rebase_merge
  }
  if (!allowed[method]) refuse(`Merge method ${method} is not allowed on this repository`)
  const { state } = mergeability(world, pull)
  if (state === 'clean' || state === 'unstable') refuse(`Pull request Pull request is in ${state} status`)
  pull.auto_merge = autoMergeRequest(world, {
    method,
    ...(input.commitHeadline === undefined ? {} : { commitTitle: input.commitHeadline }),
    ...(input.commitBody === undefined ? {} : { commitMessage: input.commitBody })
  })
  world.autoMergeEnabledAt.set(pull.id, { at: world.now(), authorEmail: input.authorEmail ?? null })
  pull.updated_at = world.now()
  return payload(world, pull, input.clientMutationId)
}

function pullByNodeId(world: GitHubWorld, id: string): PullRequest {
  const pull = world.state.pullRequests.find((candidate) => candidate.node_id === id)
  if (pull === undefined)
    throw new GitHubGraphQLFailure('NOT_FOUND', `Could not resolve to a node with the global id of '${id}'`)
  return pull
}

function payload(world: GitHubWorld, pull: PullRequest, clientMutationId: string | undefined): Resolved {
  return {
    clientMutationId: clientMutationId ?? null,
    actor: actorObject(world, world.actor),
    pullRequest: () => pullRequestObject(world, pull)
  }
}

function actorObject(world: GitHubWorld, user: SimpleUser): Resolved {
  return {
    __typename: user.type === 'Bot' ? 'Bot' : user.type === 'Organization' ? 'Organization' : 'User',
    id: user.node_id,
    login: user.login,
    url: user.html_url,
    resourcePath: new URL(user.html_url).pathname,
    avatarUrl: user.avatar_url,
    email: user.id === world.actor.id ? botEmail(world) : ''
  }
}

function repositoryObject(world: GitHubWorld): Resolved {
  const { settings } = world.state
  return {
    __typename: 'Repository',
    id: world.nodeId('R', world.repositoryId),
    databaseId: world.repositoryId,
    name: world.repo,
    nameWithOwner: `${world.owner}/${world.repo}`,
    url: world.htmlUrl,
    isPrivate: true,
    autoMergeAllowed: settings.allow_auto_merge,
    mergeCommitAllowed: settings.allow_merge_commit,
    squashMergeAllowed: settings.allow_squash_merge,
    rebaseMergeAllowed: settings.allow_rebase_merge,
    deleteBranchOnMerge: settings.delete_branch_on_merge,
    owner: () => actorObject(world, world.ownerAccount),
    pullRequest: ({ number }: { number: number }) => {
      const pull = world.pullRequest(number)
      if (pull === undefined)
        throw new GitHubGraphQLFailure(
          'NOT_FOUND',
          `Could not resolve to a PullRequest with the number of ${number}.`
        )
      return pullRequestObject(world, pull)
    }
  }
}

function pullRequestObject(world: GitHubWorld, pull: PullRequest): Resolved {
  const state = (): ReturnType<typeof mergeability> => mergeability(world, pull)
  const open = pull.state === 'open'
  const auto = pull.auto_merge
  const enabled = world.autoMergeEnabledAt.get(pull.id)
  return {
    __typename: 'PullRequest',
    id: pull.node_id,
    databaseId: pull.id,
    fullDatabaseId: String(pull.id),
    number: pull.number,
    title: pull.title,
    body: pull.body ?? '',
    url: pull.html_url,
    permalink: pull.html_url,
    resourcePath: new URL(pull.html_url).pathname,
    state: pull.merged ? 'MERGED' : open ? 'OPEN' : 'CLOSED',
    closed: !open,
    closedAt: pull.closed_at,
    merged: pull.merged,
    mergedAt: pull.merged_at,
    mergedBy: () => (pull.merged_by === null ? null : actorObject(world, pull.merged_by)),
    mergeCommit: () => (pull.merge_commit_sha === null ? null : commitObject(world, pull.merge_commit_sha)),
    createdAt: pull.created_at,
    updatedAt: pull.updated_at,
    isDraft: pull.draft === true,
    locked: pull.locked,
    headRefName: pull.head.ref,
    headRefOid: pull.head.sha,
    baseRefName: pull.base.ref,
    baseRefOid: pull.base.sha,
    changedFiles: pull.changed_files,
    additions: pull.additions,
    deletions: pull.deletions,
    author: () => (pull.user === null ? null : actorObject(world, pull.user)),
    repository: () => repositoryObject(world),
    mergeable: () => (open ? (state().mergeable ? 'MERGEABLE' : 'CONFLICTING') : 'UNKNOWN'),
    mergeStateStatus: () => (open ? MERGE_STATE_STATUS[state().state] : 'UNKNOWN'),
    viewerCanEnableAutoMerge: () =>
      open && world.state.settings.allow_auto_merge && auto === null && state().state !== 'clean',
    viewerCanDisableAutoMerge: open && auto !== null,
    autoMergeRequest:
      auto === null || auto === undefined
        ? null
        : {
            __typename: 'AutoMergeRequest',
            enabledAt: enabled?.at ?? null,
            enabledBy: actorObject(world, auto.enabled_by),
            mergeMethod: auto.merge_method.toUpperCase(),
            commitHeadline: auto.commit_title === '' ? null : auto.commit_title,
            commitBody: auto.commit_message === '' ? null : auto.commit_message,
            authorEmail: enabled?.authorEmail ?? null,
            pullRequest: () => pullRequestObject(world, pull)
          }
  }
}

function commitObject(world: GitHubWorld, sha: string): Resolved {
  return {
    __typename: 'Commit',
    id: world.nodeId('C', sha),
    oid: sha,
    abbreviatedOid: sha.slice(0, 7),
    url: `${world.htmlUrl}/commit/${sha}`,
    commitUrl: `${world.htmlUrl}/commit/${sha}`,
    resourcePath: `/${world.owner}/${world.repo}/commit/${sha}`
  }
}
