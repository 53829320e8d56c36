import type { Logger } from '../runtime/logger.js'

/** The Octokit type @actions/github returns, without loading it at start-up. */
export type Octokit = ReturnType<(typeof import('@actions/github'))['getOctokit']>

export interface OctokitOptions {
  token: string
  /** GITHUB_API_URL: https://api.github.com, or https://HOST/api/v3 on GitHub Enterprise Server. */
  apiUrl: string
  logger: Logger
  /** How often a rate-limited or failed request is retried (tests lower it). */
  retries?: number
}

let instances = 0

const USER_AGENT = 'promote-action/1 (+https://github.com/org/promote-action)'

/**
 * The one place an Octokit is made: retries for transient failures, throttling that
 * waits out primary and secondary rate limits (and logs it), our user agent, and the
 * API URL the runner gives (so GitHub Enterprise Server works). Loaded on first use so
 * that a stage which fails validation never pays for Octokit's start-up.
 */
export async function createOctokit(options: OctokitOptions): Promise<Octokit> {
  const [{ getOctokit }, { retry }, { throttling }] = await Promise.all([
    import('@actions/github'),
    import('@octokit/plugin-retry'),
    import('@octokit/plugin-throttling')
  ])
  const { logger } = options
  const retries = options.retries ?? 3
  return getOctokit(
    options.token,
    {
      baseUrl: options.apiUrl,
      userAgent: USER_AGENT,
      // The plugin's own option: `request: { retries }` here would apply to every request and
      // retry every failure, a 404 (an answer, for a missing branch or file) included, after 1, 4
      // and 9 s (docs/upstream-notes.md).
      retry: { retries },
      throttle: {
        // The plugin spaces writes 1 s apart per id, as GitHub advises against secondary limits.
        // Scoped to this client: one stage's writes are spaced, unrelated clients (tests running
        // several stages in one process) do not queue behind each other.
        id: `promote-action-${++instances}`,
        onRateLimit: (
          retryAfter: number,
          request: { method: string; url: string },
          _octokit: unknown,
          retryCount: number
        ) => {
          logger.warning(
            `GitHub rate limit hit for ${request.method} ${request.url}; retrying in ${retryAfter}s`
          )
          return retryCount < retries
        },
        onSecondaryRateLimit: (
          retryAfter: number,
          request: { method: string; url: string },
          _octokit: unknown,
          retryCount: number
        ) => {
          logger.warning(
            `GitHub secondary rate limit hit for ${request.method} ${request.url}; retrying in ${retryAfter}s`
          )
          return retryCount < retries
        }
      }
    },
    retry,
    throttling
  )
}
