import type { EndpointTable } from '../endpoint.js'

/**
 * `GET /rate_limit`. Only the core budget moves (one per request other than this one, which GitHub
 * does not count); the other resources report a fresh budget.
 */
export const rateLimitEndpoints = {
  'rate-limit/get': (request) => {
    const { limit, used, reset } = request.world.rateLimit
    const core = { limit, used, remaining: Math.max(0, limit - used), reset }
    const fresh = (budget: number) => ({ limit: budget, used: 0, remaining: budget, reset })
    return {
      status: 200,
      body: {
        resources: {
          core,
          search: fresh(30),
          graphql: fresh(5000),
          integration_manifest: fresh(5000),
          code_scanning_upload: fresh(1000),
          actions_runner_registration: fresh(10000)
        },
        rate: core
      }
    }
  }
} satisfies Partial<EndpointTable>
