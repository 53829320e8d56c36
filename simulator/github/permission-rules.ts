import type { ResolvedOperation } from './openapi-document.js'

/**
 * Denials a test installs to see how the action copes with a token that lacks a permission.
 * GitHub answers a GitHub App or GITHUB_TOKEN without the permission with 403 "Resource not
 * accessible by integration" and names what it would have accepted in
 * `x-accepted-github-permissions`; for a repository the token cannot see at all it answers 404.
 */
export interface PermissionRule {
  /** Any method when omitted. */
  method?: string
  /**
   * A RegExp tested against the request path, or a string equal to the request path or to the
   * operation's path template (`/repos/{owner}/{repo}/deployments`).
   */
  pathPattern: RegExp | string
  status?: 403 | 404
  message?: string
}

/** The fine-grained permission each operation needs, as GitHub's docs list it. */
const REQUIRED_PERMISSION: { [operationId: string]: string } = {
  'checks/create': 'checks=write',
  'checks/update': 'checks=write',
  'checks/get': 'checks=read',
  'checks/list-for-ref': 'checks=read',
  'code-scanning/list-alerts-for-repo': 'security_events=read',
  'repos/create-commit-status': 'statuses=write',
  'repos/get-combined-status-for-ref': 'statuses=read',
  'repos/list-commit-statuses-for-ref': 'statuses=read',
  'repos/create-deployment': 'deployments=write',
  'repos/create-deployment-status': 'deployments=write',
  'repos/get-deployment': 'deployments=read',
  'repos/list-deployments': 'deployments=read',
  'repos/list-deployment-statuses': 'deployments=read',
  'repos/get-environment': 'actions=read',
  'pulls/create': 'pull_requests=write',
  'pulls/get': 'pull_requests=read',
  'pulls/list': 'pull_requests=read',
  'pulls/update': 'pull_requests=write',
  'pulls/merge': 'contents=write',
  'issues/create-comment': 'issues=write; pull_requests=write',
  'issues/list-comments': 'issues=read; pull_requests=read',
  'actions/get-reviews-for-run': 'actions=read',
  'actions/get-pending-deployments-for-run': 'actions=read',
  'repos/compare-commits-with-basehead': 'contents=read',
  'repos/get-content': 'contents=read',
  'repos/create-or-update-file-contents': 'contents=write',
  'repos/get': 'metadata=read',
  'git/get-ref': 'contents=read',
  'git/get-commit': 'contents=read',
  'git/get-blob': 'contents=read',
  'git/create-ref': 'contents=write',
  'git/update-ref': 'contents=write',
  'git/create-commit': 'contents=write',
  'git/create-tree': 'contents=write',
  'git/create-blob': 'contents=write'
}

export function ruleMatches(
  rule: PermissionRule,
  method: string,
  path: string,
  operation?: ResolvedOperation
): boolean {
  if (rule.method !== undefined && rule.method.toUpperCase() !== method) return false
  if (rule.pathPattern instanceof RegExp) return rule.pathPattern.test(path)
  return rule.pathPattern === path || rule.pathPattern === operation?.pathTemplate
}

export function denial(
  rule: PermissionRule,
  operation?: ResolvedOperation
): { status: 403 | 404; message: string; headers: { [name: string]: string } } {
  const status = rule.status ?? 403
  const message = rule.message ?? (status === 403 ? 'Resource not accessible by integration' : 'Not Found')
  const permission = operation === undefined ? undefined : REQUIRED_PERMISSION[operation.operationId]
  const headers: { [name: string]: string } =
    status === 403 && permission !== undefined ? { 'x-accepted-github-permissions': permission } : {}
  return { status, message, headers }
}
