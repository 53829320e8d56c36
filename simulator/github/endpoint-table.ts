import type { EndpointTable } from './endpoint.js'
import { checkRunEndpoints } from './endpoints/check-runs.js'
import { codeScanningEndpoints } from './endpoints/code-scanning.js'
import { commitStatusEndpoints } from './endpoints/commit-statuses.js'
import { compareEndpoints } from './endpoints/compare.js'
import { contentEndpoints } from './endpoints/contents.js'
import { deploymentEndpoints } from './endpoints/deployments.js'
import { environmentEndpoints } from './endpoints/environments.js'
import { gitDataEndpoints } from './endpoints/git-data.js'
import { issueCommentEndpoints } from './endpoints/issue-comments.js'
import { pullRequestEndpoints } from './endpoints/pull-requests.js'
import { rateLimitEndpoints } from './endpoints/rate-limit.js'
import { repositoryEndpoints } from './endpoints/repository.js'
import { workflowRunEndpoints } from './endpoints/workflow-runs.js'

/** One behaviour per emulated operation; the type makes a missing one a compile error. */
export const endpoints = {
  ...checkRunEndpoints,
  ...codeScanningEndpoints,
  ...commitStatusEndpoints,
  ...compareEndpoints,
  ...contentEndpoints,
  ...deploymentEndpoints,
  ...environmentEndpoints,
  ...gitDataEndpoints,
  ...issueCommentEndpoints,
  ...pullRequestEndpoints,
  ...rateLimitEndpoints,
  ...repositoryEndpoints,
  ...workflowRunEndpoints
} satisfies EndpointTable
