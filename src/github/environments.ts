import { pick, type Repo } from './repository-ref.js'
import type { Octokit } from './octokit-factory.js'
import { Permission, withPermission } from './permission-errors.js'

export interface EnvironmentReviewer {
  type: 'User' | 'Team'
  /** login or team slug */
  name: string
}

/** A GitHub environment's protection rules, as the approval gate needs them. */
export interface EnvironmentProtection {
  name: string
  url: string | undefined
  requiredReviewers: EnvironmentReviewer[]
  /** undefined when no required-reviewers rule exists. */
  preventSelfReview: boolean | undefined
  waitTimerMinutes: number | undefined
  canAdminsBypass: boolean | undefined
  branchPolicy: 'protected branches' | 'selected branches' | undefined
}

/** GET /repos/{o}/{r}/environments/{name}; needs `actions: read` (404 when it does not exist). */
export function getEnvironmentProtection(
  octokit: Octokit,
  repo: Repo,
  name: string
): Promise<EnvironmentProtection> {
  return withPermission(
    Permission.actionsRead,
    `read the protection rules of environment "${name}"`,
    async () => {
      const { data } = await octokit.rest.repos.getEnvironment({ ...pick(repo), environment_name: name })
      const protection: EnvironmentProtection = {
        name: data.name,
        url: data.html_url ?? undefined,
        requiredReviewers: [],
        preventSelfReview: undefined,
        waitTimerMinutes: undefined,
        // Returned by GitHub, though the description's environment schema does not list it.
        canAdminsBypass: (data as { can_admins_bypass?: boolean }).can_admins_bypass,
        branchPolicy: data.deployment_branch_policy
          ? data.deployment_branch_policy.protected_branches
            ? 'protected branches'
            : 'selected branches'
          : undefined
      }
      for (const rule of data.protection_rules ?? []) {
        if (rule.type === 'required_reviewers' && 'reviewers' in rule) {
          protection.preventSelfReview =
            'prevent_self_review' in rule ? Boolean(rule.prevent_self_review) : undefined
          for (const entry of rule.reviewers ?? []) {
            const reviewer = entry.reviewer as { login?: string; slug?: string; name?: string } | undefined
            const type = entry.type === 'Team' ? 'Team' : 'User'
            protection.requiredReviewers.push({
              type,
              name: reviewer?.login ?? reviewer?.slug ?? reviewer?.name ?? 'unknown'
            })
          }
        }
        if (rule.type === 'wait_timer' && 'wait_timer' in rule) protection.waitTimerMinutes = rule.wait_timer
      }
      return protection
    }
  )
}
