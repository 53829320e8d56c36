import type { EndpointTable } from '../endpoint.js'

/** `GET /repos/{owner}/{repo}`: the emulated repository (default branch `main`). */
export const repositoryEndpoints = {
  'repos/get': (request) => ({ status: 200, body: request.world.repository() })
} satisfies Partial<EndpointTable>
