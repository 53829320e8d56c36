import type { EmulatedOperationId } from './operations.js'
import type { GitHubWorld } from './world.js'

/** One operation's behaviour: a request already checked against the description, in; an answer, out. */
export interface EndpointRequest {
  world: GitHubWorld
  /** Path parameters coerced to their documented types (`deployment_id` is a number). */
  params: { [name: string]: unknown }
  /** Query parameters coerced to their documented types, documented defaults filled in. */
  query: { [name: string]: unknown }
  body: unknown
  /** The request URL, for pagination links. */
  url: URL
}

export interface EndpointResponse {
  status: number
  body?: unknown
  headers?: { [name: string]: string }
}

export type Endpoint = (request: EndpointRequest) => EndpointResponse

export type EndpointTable = { [Id in EmulatedOperationId]: Endpoint }
