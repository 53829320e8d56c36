import type { EndpointTable } from '../endpoint.js'
import { notFound } from '../http-error.js'
import type { Environment } from '../state.js'
import type { GitHubWorld } from '../world.js'

/**
 * Deployment environments and their protection rules. A deployment to an unknown environment name
 * creates the environment with no rules, as on GitHub; `GET` of a missing one is 404.
 */
/** A reviewer by login or team slug, flat or in the API's own `{ type, reviewer: {...} }` shape. */
export type ReviewerSeed =
  | { type: 'User'; login: string }
  | { type: 'Team'; slug: string }
  | { type: 'User'; reviewer: { login: string } }
  | { type: 'Team'; reviewer: { slug: string } }

export type ProtectionRuleSeed =
  | { type: 'required_reviewers'; reviewers?: ReviewerSeed[]; prevent_self_review?: boolean }
  | { type: 'wait_timer'; wait_timer: number }

export interface EnvironmentSeed {
  protection_rules?: ProtectionRuleSeed[]
  /** Non-null adds the `branch_policy` rule GitHub shows for it. */
  deployment_branch_policy?: { protected_branches: boolean; custom_branch_policies: boolean } | null
  can_admins_bypass?: boolean
}

type ProtectionRule = NonNullable<Environment['protection_rules']>[number]

export function setEnvironment(world: GitHubWorld, name: string, seed: EnvironmentSeed = {}): Environment {
  const existing = world.state.environments[name]
  const id = existing?.id ?? world.nextId('environment', 400_000_001)
  const now = world.now()
  const rule = (type: string): { id: number; node_id: string; type: string } => {
    const ruleId = world.nextId('protection-rule', 3_000_001)
    return { id: ruleId, node_id: world.nodeId('GA', ruleId), type }
  }
  const protectionRules: ProtectionRule[] = (seed.protection_rules ?? []).map((seeded) =>
    seeded.type === 'wait_timer'
      ? { ...rule('wait_timer'), wait_timer: seeded.wait_timer }
      : {
          ...rule('required_reviewers'),
          prevent_self_review: seeded.prevent_self_review ?? false,
          reviewers: (seeded.reviewers ?? []).map((reviewer) => reviewerOf(world, reviewer))
        }
  )
  const branchPolicy = seed.deployment_branch_policy ?? null
  if (branchPolicy !== null) protectionRules.push(rule('branch_policy'))
  const environment: Environment & { can_admins_bypass: boolean } = {
    id,
    node_id: world.nodeId('EN', id),
    name,
    url: `${world.repoUrl}/environments/${encodeURIComponent(name)}`,
    html_url: `${world.htmlUrl}/deployments/activity_log?environments_filter=${encodeURIComponent(name)}`,
    created_at: existing?.created_at ?? now,
    updated_at: now,
    can_admins_bypass: seed.can_admins_bypass ?? true,
    protection_rules: protectionRules,
    deployment_branch_policy: branchPolicy
  }
  world.state.environments[name] = environment
  return environment
}

export function reviewerOf(world: GitHubWorld, seed: ReviewerSeed) {
  if (seed.type === 'User') {
    return { type: 'User' as const, reviewer: world.user('login' in seed ? seed.login : seed.reviewer.login) }
  }
  return { type: 'Team' as const, reviewer: world.team('slug' in seed ? seed.slug : seed.reviewer.slug) }
}

export function ensureEnvironment(world: GitHubWorld, name: string): Environment {
  return world.state.environments[name] ?? setEnvironment(world, name)
}

export const environmentEndpoints = {
  'repos/get-environment': (request) => {
    const environment = request.world.state.environments[String(request.params.environment_name)]
    if (environment === undefined) throw notFound()
    return { status: 200, body: environment }
  }
} satisfies Partial<EndpointTable>
