/**
 * One error type for every failed Kubernetes API call, carrying what the Status body said and
 * what we were doing, so messages can tell the user which RBAC rule is missing.
 */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete'

export interface ApiCallContext {
  verb: Verb
  /** Plural resource as RBAC spells it: `deployments`, `pods`, `leases`. */
  resource: string
  /** API group; '' for the core group. */
  group: string
  namespace?: string
  name?: string
}

interface StatusBody {
  kind?: string
  message?: string
  reason?: string
  code?: number
}

export class KubernetesApiError extends Error {
  override readonly name = 'KubernetesApiError'
  constructor(
    message: string,
    /** HTTP status; 0 when no response arrived (connection refused, DNS, TLS). */
    readonly code: number,
    /** Status reason, e.g. `Forbidden`, `NotFound`, `Conflict`, `AlreadyExists`, `Expired`. */
    readonly reason: string | undefined,
    /** The API server's own message from the Status body. */
    readonly serverMessage: string | undefined,
    readonly context: ApiCallContext,
    options?: { cause?: unknown }
  ) {
    super(message, options)
  }

  /** Wraps whatever client-node threw (ApiException with a JSON string body, fetch errors, ...). */
  static from(error: unknown, context: ApiCallContext): KubernetesApiError {
    if (error instanceof KubernetesApiError) return error
    const code = statusCodeOf(error)
    const status = parseStatusBody(error)
    const reason = status?.reason ?? defaultReason(code)
    const serverMessage = status?.message
    return new KubernetesApiError(
      describeFailure(code, reason, serverMessage, context, error),
      code,
      reason,
      serverMessage,
      context,
      { cause: error }
    )
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof KubernetesApiError && error.code === 404
}

/** 409 from an update with a stale resourceVersion (reason Conflict) or a create of an existing name (AlreadyExists). */
export function isConflict(error: unknown): boolean {
  return error instanceof KubernetesApiError && error.code === 409
}

/** `deployments.apps`, or `pods` for the core group. */
export function qualifiedResource(context: Pick<ApiCallContext, 'resource' | 'group'>): string {
  return context.group === '' ? context.resource : `${context.resource}.${context.group}`
}

/** The Role rule that grants `context`, in YAML flow style, ready to paste. */
export function missingRule(context: ApiCallContext): string {
  return `{ apiGroups: ["${context.group}"], resources: ["${context.resource}"], verbs: ["${context.verb}"] }`
}

function describeFailure(
  code: number,
  reason: string | undefined,
  serverMessage: string | undefined,
  context: ApiCallContext,
  error: unknown
): string {
  const what = qualifiedResource(context)
  const where = context.namespace !== undefined ? ` in namespace ${context.namespace}` : ''
  const object = context.name !== undefined ? ` ${JSON.stringify(context.name)}` : ''
  const server = serverMessage ? ` (API server: ${serverMessage})` : ''
  switch (code) {
    case 403: {
      const roleKind = context.namespace !== undefined ? 'Role' : 'ClusterRole'
      return `the token may not ${context.verb} ${what}${where}: add this rule to the ${roleKind}: ${missingRule(context)}${server}`
    }
    case 401:
      return `the API server rejected the credentials (401 Unauthorized) while trying to ${context.verb} ${what}${where}: the token is missing, expired or invalid${server}`
    case 404:
      return `${what}${object} not found${where}${server}`
    case 0: {
      const cause = describeCause(error)
      return `could not reach the Kubernetes API to ${context.verb} ${what}${object}${where}: ${cause}`
    }
    default:
      return `${context.verb} ${what}${object}${where} failed: HTTP ${code}${reason ? ` ${reason}` : ''}${server}`
  }
}

function statusCodeOf(error: unknown): number {
  if (typeof error !== 'object' || error === null) return 0
  const e = error as { code?: unknown; statusCode?: unknown }
  if (typeof e.code === 'number') return e.code
  if (typeof e.statusCode === 'number') return e.statusCode
  return 0
}

function parseStatusBody(error: unknown): StatusBody | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const body = (error as { body?: unknown }).body
  if (typeof body === 'string') {
    try {
      const parsed: unknown = JSON.parse(body)
      return typeof parsed === 'object' && parsed !== null ? (parsed as StatusBody) : undefined
    } catch {
      return undefined
    }
  }
  return typeof body === 'object' && body !== null ? (body as StatusBody) : undefined
}

function defaultReason(code: number): string | undefined {
  const reasons: Record<number, string> = {
    400: 'BadRequest',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'NotFound',
    409: 'Conflict',
    410: 'Expired',
    422: 'Invalid',
    429: 'TooManyRequests',
    500: 'InternalError',
    503: 'ServiceUnavailable'
  }
  return reasons[code]
}

function describeCause(error: unknown): string {
  const message = messageOf(error) ?? String(error)
  const cause =
    typeof error === 'object' && error !== null ? messageOf((error as { cause?: unknown }).cause) : undefined
  return cause ? `${message}: ${cause}` : message
}

/**
 * An error's message, judged by shape rather than `instanceof Error`: the TLS and socket
 * errors under undici's "fetch failed" come from Node's own realm, which under Jest's VM
 * modules is not the realm our code runs in.
 */
function messageOf(value: unknown): string | undefined {
  const message =
    typeof value === 'object' && value !== null ? (value as { message?: unknown }).message : undefined
  return typeof message === 'string' ? message : undefined
}
