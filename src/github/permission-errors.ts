import { OperationalError } from '../runtime/errors.js'

/** The workflow `permissions:` line each kind of GitHub call needs. */
export const Permission = {
  deploymentsWrite: 'deployments: write',
  deploymentsRead: 'deployments: read',
  checksWrite: 'checks: write',
  checksRead: 'checks: read',
  statusesRead: 'statuses: read',
  securityEventsRead: 'security-events: read',
  actionsRead: 'actions: read',
  contentsWrite: 'contents: write',
  contentsRead: 'contents: read',
  pullRequestsWrite: 'pull-requests: write',
  pullRequestsRead: 'pull-requests: read'
} as const
export type PermissionLine = (typeof Permission)[keyof typeof Permission]

/**
 * GitHub answers 403 when a token lacks a permission, and 404 for a private resource it
 * may not see. Either way the fix is a `permissions:` line in the workflow: say which.
 */
export async function withPermission<T>(
  permission: PermissionLine,
  what: string,
  call: () => Promise<T>
): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw explainGitHubError(error, permission, what)
  }
}

export function explainGitHubError(error: unknown, permission: PermissionLine, what: string): unknown {
  const status = (error as { status?: number }).status
  const message = (error as { message?: string }).message ?? String(error)
  if (status === 403 && !/rate limit/i.test(message))
    return new OperationalError(
      `GitHub refused to ${what} (403: ${message}). The token needs this permission; add to the workflow or job:\n  permissions:\n    ${permission}`,
      { title: 'Missing GitHub permission', cause: error }
    )
  if (status === 404)
    return new OperationalError(
      `GitHub answered 404 when asked to ${what}. Either it does not exist or the token may not see it; if it exists, add to the workflow or job:\n  permissions:\n    ${permission}`,
      { title: 'Missing GitHub permission or resource', cause: error }
    )
  return error
}
