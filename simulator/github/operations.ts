/**
 * The GitHub REST operations the emulator serves, by OpenAPI operationId.
 * scripts/extract-github-openapi.ts copies exactly these (and the components they reach)
 * into openapi/api.github.com.subset.json; add an id here, rerun the script, then add a handler.
 */
export const EMULATED_OPERATIONS = [
  'actions/get-pending-deployments-for-run',
  'actions/get-reviews-for-run',
  'checks/create',
  'checks/get',
  'checks/list-for-ref',
  'checks/update',
  'code-scanning/list-alerts-for-repo',
  'git/create-blob',
  'git/create-commit',
  'git/create-ref',
  'git/create-tree',
  'git/get-blob',
  'git/get-commit',
  'git/get-ref',
  'git/update-ref',
  'issues/create-comment',
  'issues/list-comments',
  'pulls/create',
  'pulls/get',
  'pulls/list',
  'pulls/merge',
  'pulls/update',
  'rate-limit/get',
  'repos/compare-commits-with-basehead',
  'repos/create-commit-status',
  'repos/create-deployment',
  'repos/create-deployment-status',
  'repos/create-or-update-file-contents',
  'repos/get',
  'repos/get-combined-status-for-ref',
  'repos/get-content',
  'repos/get-deployment',
  'repos/get-environment',
  'repos/list-commit-statuses-for-ref',
  'repos/list-deployment-statuses',
  'repos/list-deployments'
] as const

export type EmulatedOperationId = (typeof EMULATED_OPERATIONS)[number]

/**
 * Error bodies GitHub sends for statuses an operation does not document (401, 403, 404, 422 from
 * request validation): the emulator checks those responses against these schemas, so the script
 * keeps them even when no listed operation references them.
 */
export const ERROR_SCHEMAS = ['basic-error', 'validation-error'] as const
