/**
 * An error answer as GitHub sends it: `{ message, documentation_url, status }` plus, for
 * validation failures, `errors`. The server fills in the operation's documentation_url.
 */
export class GitHubHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: { [key: string]: unknown } = {},
    readonly headers: { [name: string]: string } = {}
  ) {
    super(message)
  }
}

export function notFound(message = 'Not Found'): GitHubHttpError {
  return new GitHubHttpError(404, message)
}

/** 422 "Validation Failed" with GitHub's `errors` entries (resource, field, code, message). */
export function validationFailed(
  errors: Array<{ resource: string; code: string; field?: string; message?: string }>
): GitHubHttpError {
  return new GitHubHttpError(422, 'Validation Failed', { errors })
}

export function unprocessable(message: string): GitHubHttpError {
  return new GitHubHttpError(422, message)
}

export function conflict(message: string, extra: { [key: string]: unknown } = {}): GitHubHttpError {
  return new GitHubHttpError(409, message, extra)
}
