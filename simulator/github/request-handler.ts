import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { EndpointResponse } from './endpoint.js'
import { endpoints } from './endpoint-table.js'
import { answerGraphQL } from './graphql-endpoint.js'
import { GitHubHttpError } from './http-error.js'
import { settleAutoMerges } from './merging.js'
import type { ResolvedOperation } from './openapi-document.js'
import type { OpenApiValidator } from './openapi-validator.js'
import type { EmulatedOperationId } from './operations.js'
import { denial, ruleMatches, type PermissionRule } from './permission-rules.js'
import type { Router } from './router.js'
import type { GitHubWorld } from './world.js'

/**
 * One request's way through the emulator, in GitHub's order: authentication, routing (404 for
 * what the emulator does not serve), the repository, permission denials, JSON parsing, then the
 * OpenAPI check (422 and a recorded violation on a mismatch), the endpoint, auto-merges that the
 * change made due, and finally the OpenAPI check of the answer (a recorded violation: that is an
 * emulator bug). `POST /graphql` goes to graphql-endpoint.ts after authentication instead.
 */
export interface RecordedRequest {
  method: string
  path: string
  query: { [name: string]: string }
  body?: unknown
  status: number
  operationId: string | null
}

export interface RequestHandlerContext {
  world: GitHubWorld
  router: Router
  validator: OpenApiValidator
  token: string
  validate: boolean
  denials: PermissionRule[]
  requests: RecordedRequest[]
  violations: string[]
}

const GENERIC_DOCS = 'https://docs.github.com/rest'

export async function handleRequest(
  context: RequestHandlerContext,
  request: IncomingMessage,
  response: ServerResponse
): Promise<void> {
  const method = (request.method ?? 'GET').toUpperCase()
  const url = new URL(request.url ?? '/', context.world.apiUrl)
  const raw = await readBody(request)
  const record: RecordedRequest = {
    method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    status: 0,
    operationId: null
  }
  let body: unknown
  let unparsable = false
  if (raw.length > 0) {
    try {
      body = JSON.parse(raw.toString('utf8'))
    } catch {
      unparsable = true
      body = raw.toString('utf8')
    }
    record.body = body
  }
  context.requests.push(record)

  if (method === 'POST' && url.pathname === '/graphql') {
    record.operationId = 'graphql'
    const answer = await graphQLAnswer(context, request, body, unparsable)
    record.status = answer.status
    send(context, response, answer)
    return
  }

  const match = context.router.match(method, url.pathname)
  const operation = match?.operation
  record.operationId = operation?.operationId ?? null
  const where = `${method} ${url.pathname}${operation === undefined ? '' : ` (${operation.operationId})`}`

  let answer: EndpointResponse
  try {
    answer = dispatch(context, request, {
      method,
      url,
      body,
      unparsable,
      operation,
      where,
      rawPath: match?.pathParameters
    })
    if (method !== 'GET' && answer.status < 400) settleAutoMerges(context.world)
  } catch (error) {
    if (error instanceof GitHubHttpError) {
      answer = errorAnswer(error, operation)
    } else {
      context.violations.push(
        `${where}: emulator failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`
      )
      answer = errorAnswer(new GitHubHttpError(500, 'Server Error'), operation)
    }
  }

  if (context.validate && answer.body !== undefined) {
    const problems = context.validator.checkResponse(operation, answer.status, answer.body)
    context.violations.push(...problems.map((problem) => `${where}: ${problem}`))
  }
  if (operation?.operationId !== 'rate-limit/get') context.world.rateLimit.used++
  record.status = answer.status
  send(context, response, answer)
}

const GRAPHQL_AUTH_DOCS =
  'https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql'

async function graphQLAnswer(
  context: RequestHandlerContext,
  request: IncomingMessage,
  body: unknown,
  unparsable: boolean
): Promise<EndpointResponse> {
  const headers = { 'x-ratelimit-resource': 'graphql' }
  const unauthenticated = authenticate(context, request)
  if (unauthenticated !== undefined) {
    const message =
      unauthenticated.message === 'Bad credentials'
        ? unauthenticated.message
        : 'This endpoint requires you to be authenticated.'
    return { status: 401, headers, body: { message, documentation_url: GRAPHQL_AUTH_DOCS } }
  }
  if (unparsable) return errorAnswer(new GitHubHttpError(400, 'Problems parsing JSON'), undefined)
  const rule = context.denials.find((candidate) => ruleMatches(candidate, 'POST', '/graphql'))
  try {
    const answer = await answerGraphQL({
      world: context.world,
      body,
      denied: rule === undefined ? undefined : (rule.message ?? 'Resource not accessible by integration')
    })
    if (context.validate)
      context.violations.push(...answer.violations.map((problem) => `POST /graphql: ${problem}`))
    return { status: answer.status, body: answer.body, headers }
  } catch (error) {
    context.violations.push(
      `POST /graphql: emulator failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`
    )
    return errorAnswer(new GitHubHttpError(500, 'Server Error'), undefined)
  }
}

/** The 401 GitHub answers, or undefined when the request carries the emulator's token. */
function authenticate(context: RequestHandlerContext, request: IncomingMessage): GitHubHttpError | undefined {
  const credentials = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1]
  if (credentials === undefined) return new GitHubHttpError(401, 'Requires authentication')
  if (credentials !== context.token) return new GitHubHttpError(401, 'Bad credentials')
  return undefined
}

function dispatch(
  context: RequestHandlerContext,
  request: IncomingMessage,
  call: {
    method: string
    url: URL
    body: unknown
    unparsable: boolean
    operation: ResolvedOperation | undefined
    where: string
    rawPath: { [name: string]: string } | undefined
  }
): EndpointResponse {
  const unauthenticated = authenticate(context, request)
  if (unauthenticated !== undefined) throw unauthenticated

  const { operation } = call
  if (operation === undefined || call.rawPath === undefined) throw new GitHubHttpError(404, 'Not Found')
  const { owner, repo } = call.rawPath
  if (
    owner !== undefined &&
    (owner.toLowerCase() !== context.world.owner.toLowerCase() ||
      repo?.toLowerCase() !== context.world.repo.toLowerCase())
  ) {
    throw new GitHubHttpError(404, 'Not Found')
  }

  const rule = context.denials.find((candidate) =>
    ruleMatches(candidate, call.method, call.url.pathname, operation)
  )
  if (rule !== undefined) {
    const denied = denial(rule, operation)
    throw new GitHubHttpError(denied.status, denied.message, {}, denied.headers)
  }

  if (call.unparsable) throw new GitHubHttpError(400, 'Problems parsing JSON')

  const check = context.validator.checkRequest(
    operation,
    call.rawPath,
    Object.fromEntries(call.url.searchParams),
    call.body
  )
  if (context.validate) {
    context.violations.push(...check.violations.map((problem) => `${call.where}: request ${problem}`))
    if (check.rejections.length > 0) {
      throw new GitHubHttpError(422, `Invalid request.\n\n${check.rejections.join('\n')}`)
    }
  }

  const endpoint = endpoints[operation.operationId as EmulatedOperationId]
  return endpoint({
    world: context.world,
    params: check.pathParameters,
    query: check.query,
    body: call.body,
    url: call.url
  })
}

function errorAnswer(error: GitHubHttpError, operation: ResolvedOperation | undefined): EndpointResponse {
  return {
    status: error.status,
    headers: error.headers,
    body: {
      message: error.message,
      documentation_url: operation?.documentationUrl ?? GENERIC_DOCS,
      status: String(error.status),
      ...error.extra
    }
  }
}

function send(context: RequestHandlerContext, response: ServerResponse, answer: EndpointResponse): void {
  const { limit, used, reset } = context.world.rateLimit
  const headers: { [name: string]: string } = {
    'content-type': 'application/json; charset=utf-8',
    'x-github-media-type': 'github.v3; format=json',
    'x-github-api-version-selected': '2022-11-28',
    'x-github-request-id': randomUUID().toUpperCase(),
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': String(Math.max(0, limit - used)),
    'x-ratelimit-used': String(used),
    'x-ratelimit-reset': String(reset),
    'x-ratelimit-resource': 'core',
    ...answer.headers
  }
  const payload = answer.body === undefined ? '' : JSON.stringify(answer.body)
  response.writeHead(answer.status, { ...headers, 'content-length': String(Buffer.byteLength(payload)) })
  response.end(payload)
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}
