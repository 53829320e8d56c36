/** The branch a GitOps promotion commits to: `branch-prefix` + environment + `-` + the source's short sha. */
export function promotionBranch(prefix: string, environmentName: string, sha: string): string {
  return `${prefix}${environmentName}-${sha.slice(0, 7)}`
}

/**
 * Whether a branch is a promotion branch of this environment (of any sha): `promote/prod-` must
 * not claim `promote/prod-eu-1234567`, the branch of environment `prod-eu`.
 */
export function isPromotionBranch(prefix: string, environmentName: string, branch: string): boolean {
  const start = `${prefix}${environmentName}-`
  return branch.startsWith(start) && /^[0-9a-f]{7}$/i.test(branch.slice(start.length))
}
