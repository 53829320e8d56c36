import type { EndpointTable } from '../endpoint.js'
import { notFound, validationFailed } from '../http-error.js'
import { paginate } from '../pagination.js'
import type { IssueComment, RequestBody } from '../state.js'
import type { GitHubWorld } from '../world.js'

/**
 * Comments on pull requests through the issues API (every pull request is an issue; the emulator
 * has no plain issues, so another number is 404). Listed by ascending id, `since` keeping those
 * updated at or after it; a new comment counts in the pull request's `comments`.
 */
export function addIssueComment(world: GitHubWorld, issueNumber: number, body: string): IssueComment {
  const pull = world.pullRequest(issueNumber)
  if (pull === undefined) throw notFound()
  if (body.trim() === '') {
    throw validationFailed([{ resource: 'IssueComment', code: 'missing_field', field: 'body' }])
  }
  const id = world.nextId('issue-comment', 1_500_000_001)
  const now = world.now()
  const comment: IssueComment = {
    id,
    node_id: world.nodeId('IC', id),
    url: `${world.repoUrl}/issues/comments/${id}`,
    html_url: `${pull.html_url}#issuecomment-${id}`,
    issue_url: pull.issue_url,
    body,
    user: world.actor,
    created_at: now,
    updated_at: now,
    author_association: 'NONE',
    performed_via_github_app: world.app()
  }
  ;(world.state.issueComments[issueNumber] ??= []).push(comment)
  pull.comments += 1
  return comment
}

export const issueCommentEndpoints = {
  'issues/create-comment': (request) => {
    const { body } = request.body as RequestBody<'issues/create-comment'>
    const comment = addIssueComment(request.world, request.params.issue_number as number, body)
    return { status: 201, body: comment, headers: { location: comment.url } }
  },

  'issues/list-comments': (request) => {
    const { world } = request
    const number = request.params.issue_number as number
    if (world.pullRequest(number) === undefined) throw notFound()
    const since = request.query.since === undefined ? undefined : Date.parse(String(request.query.since))
    const comments = (world.state.issueComments[number] ?? []).filter(
      (comment) => since === undefined || Date.parse(comment.updated_at) >= since
    )
    const page = paginate(comments, request)
    return { status: 200, body: page.items, headers: page.headers }
  }
} satisfies Partial<EndpointTable>
