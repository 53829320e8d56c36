import type { EndpointTable } from './endpoint.js'
import { checkRunEndpoints } from './endpoints/check-runs.js'
import { codeScanningEndpoints } from './endpoints/code-scanning.js'
import { commitStatusEndpoints } from './endpoints/commit-statuses.js'
import { contentEndpoints } from './endpoints/contents.js'
import { deploymentEndpoints } from './endpoints/deployments.js'
import { environmentEndpoints } from './endpoints/environments.js'
import { gitDataEndpoints } from './endpoints/git-data.js'
import { pullRequestEndpoints } from './endpoints/pull-requests.js'
import { rateLimitEndpoints } from './endpoints/rate-limit.js'
import { repositoryEndpoints } from './endpoints/repository.js'

/** One behaviour per emulated operation; the type makes a missing one a compile error. */
export const endpoints = {
  ...checkRunEndpoints,
  ...codeScanningEndpoints,
  ...commitStatusEndpoints,
  ...contentEndpoints,
  ...deploymentEndpoints,
  ...environmentEndpoints,
  ...gitDataEndpoints,
  ...pullRequestEndpoints,
  ...rateLimitEndpoints,
  ...repositoryEndpoints
} satisfies EndpointTable
