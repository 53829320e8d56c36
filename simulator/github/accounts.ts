import type { Integration, SimpleUser, Team } from './state.js'

/**
 * Users, teams and GitHub Apps as GitHub renders them. The token the emulator accepts acts as
 * GitHub Actions' GITHUB_TOKEN does: as the `github-actions[bot]` user through the `github-actions` app.
 */
export const ACTIONS_BOT = { login: 'github-actions[bot]', id: 41898282 }
export const ACTIONS_APP = { slug: 'github-actions', id: 15368, name: 'GitHub Actions' }

const API = 'https://api.github.com'
const WEB = 'https://github.com'
const CREATED = '2018-07-30T09:30:17Z'

export function buildUser(
  login: string,
  id: number,
  type: 'User' | 'Organization' | 'Bot' = 'User'
): SimpleUser {
  const url = `${API}/users/${encodeURIComponent(login)}`
  return {
    login,
    id,
    node_id: nodeId(type === 'Organization' ? 'O' : type === 'Bot' ? 'BOT' : 'U', id),
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: '',
    url,
    html_url: type === 'Bot' ? `${WEB}/apps/${login.replace(/\[bot\]$/, '')}` : `${WEB}/${login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type,
    user_view_type: 'public',
    site_admin: false
  }
}

export function buildApp(slug: string, id: number, owner: SimpleUser, name = slug): Integration {
  return {
    id,
    slug,
    node_id: nodeId('MDM6QXBw', id),
    client_id: `Iv1.${id.toString(16).padStart(16, '0')}`,
    owner,
    name,
    description: slug === ACTIONS_APP.slug ? 'Automate your workflow from idea to production' : '',
    external_url: slug === ACTIONS_APP.slug ? 'https://help.github.com/en/actions' : `${WEB}/apps/${slug}`,
    html_url: `${WEB}/apps/${slug}`,
    created_at: CREATED,
    updated_at: CREATED,
    permissions: {
      checks: 'write',
      contents: 'write',
      deployments: 'write',
      metadata: 'read',
      statuses: 'write'
    },
    events: ['check_run', 'check_suite', 'deployment', 'deployment_status', 'pull_request', 'push', 'status']
  }
}

export function buildTeam(organization: string, slug: string, id: number): Team {
  const url = `${API}/organizations/${organization}/team/${id}`
  return {
    id,
    node_id: nodeId('T', id),
    url,
    html_url: `${WEB}/orgs/${organization}/teams/${slug}`,
    name: slug,
    slug,
    description: null,
    privacy: 'closed',
    notification_setting: 'notifications_enabled',
    permission: 'pull',
    members_url: `${url}/members{/member}`,
    repositories_url: `${url}/repos`,
    parent: null,
    type: 'organization'
  }
}

/** GitHub's global node ids are opaque; these keep the type prefix and stay unique per type. */
export function nodeId(prefix: string, id: number | string): string {
  return `${prefix}_kwDO${Buffer.from(`emulator:${id}`).toString('base64url')}`
}
