import { ACTIONS_APP, ACTIONS_BOT, buildApp, buildTeam, buildUser, nodeId } from './accounts.js'
import type { GitRepository } from './git-repository.js'
import { buildRepository } from './repository.js'
import type { FullRepository, GitHubState, Integration, PullRequest, SimpleUser, Team } from './state.js'

/**
 * Everything the endpoints share: the state, the git repository, id counters, the clocks, the
 * URLs resources point at, and the accounts that appear in them.
 */
const FIRST_COMMIT_DATE = Date.parse('2024-01-15T10:00:00Z')
const COMMIT_DATE_STEP_MS = 60_000

export class GitHubWorld {
  readonly htmlUrl: string
  readonly repositoryId = 100_000_001
  readonly actor: SimpleUser
  readonly ownerAccount: SimpleUser
  readonly rateLimit = { limit: 5000, used: 0, reset: Math.floor(Date.now() / 1000) + 3600 }
  private readonly counters = new Map<string, number>()
  private readonly apps = new Map<string, Integration>()
  private readonly users = new Map<string, SimpleUser>()
  private readonly teams = new Map<string, Team>()
  private readonly checkSuites = new Map<string, number>()
  private commitCount = 0
  /** What GraphQL's AutoMergeRequest has beyond REST's `auto_merge`, by pull request id. */
  readonly autoMergeEnabledAt = new Map<number, { at: string; authorEmail: string | null }>()

  constructor(
    readonly state: GitHubState,
    readonly git: GitRepository,
    readonly owner: string,
    readonly repo: string,
    /** Base URL of the emulator's API, e.g. http://127.0.0.1:4567 */
    readonly apiUrl: string
  ) {
    this.htmlUrl = `https://github.com/${owner}/${repo}`
    this.actor = buildUser(ACTIONS_BOT.login, ACTIONS_BOT.id, 'Bot')
    this.ownerAccount = buildUser(owner, 9_000_001)
    this.users.set(owner, this.ownerAccount)
  }

  /** `${apiUrl}/repos/{owner}/{repo}` */
  get repoUrl(): string {
    return `${this.apiUrl}/repos/${this.owner}/${this.repo}`
  }

  get defaultBranch(): string {
    return 'main'
  }

  /** GitHub's ids grow per kind of resource. */
  nextId(kind: string, start = 1): number {
    const next = (this.counters.get(kind) ?? start - 1) + 1
    this.counters.set(kind, next)
    return next
  }

  nodeId(prefix: string, id: number | string): string {
    return nodeId(prefix, id)
  }

  /** An ISO 8601 timestamp at second precision, as GitHub writes them. */
  now(): string {
    return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
  }

  /**
   * The date of the next commit made without one: the first is 2024-01-15T10:00:00Z and each
   * later one a minute on, so the same seeding and requests give the same shas on every run.
   */
  nextCommitDate(): string {
    const date = new Date(FIRST_COMMIT_DATE + COMMIT_DATE_STEP_MS * this.commitCount++)
    return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
  }

  pullRequest(number: unknown): PullRequest | undefined {
    return this.state.pullRequests.find((pull) => pull.number === number)
  }

  app(slug: string = ACTIONS_APP.slug): Integration {
    let app = this.apps.get(slug)
    if (app === undefined) {
      app =
        slug === ACTIONS_APP.slug
          ? buildApp(slug, ACTIONS_APP.id, buildUser('github', 9919, 'Organization'), ACTIONS_APP.name)
          : buildApp(slug, this.nextId('app', 200_001), this.ownerAccount)
      this.apps.set(slug, app)
    }
    return app
  }

  user(login: string): SimpleUser {
    let user = this.users.get(login)
    if (user === undefined) {
      user = buildUser(login, this.nextId('user', 5_000_001))
      this.users.set(login, user)
    }
    return user
  }

  team(slug: string): Team {
    let team = this.teams.get(slug)
    if (team === undefined) {
      team = buildTeam(this.owner, slug, this.nextId('team', 700_001))
      this.teams.set(slug, team)
    }
    return team
  }

  /** GitHub groups an app's check runs on one commit into one check suite. */
  checkSuiteId(headSha: string, appId: number): number {
    const key = `${appId}:${headSha}`
    let id = this.checkSuites.get(key)
    if (id === undefined) {
      id = this.nextId('check-suite', 30_000_001)
      this.checkSuites.set(key, id)
    }
    return id
  }

  repository(): FullRepository {
    return buildRepository(this)
  }
}
