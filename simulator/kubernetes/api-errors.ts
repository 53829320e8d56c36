/**
 * Failures as the apiserver reports them: a `Status` object with the HTTP code, a machine
 * `reason` and the human message, worded like k8s.io/apimachinery/pkg/api/errors so clients
 * (and people reading logs) see what a real cluster would say.
 */
import { qualifiedResource, type ResourceType } from './api-resources.js'

export interface StatusCause {
  reason: string
  message: string
  field?: string
}

export interface StatusDetails {
  name?: string
  group?: string
  kind?: string
  uid?: string
  causes?: StatusCause[]
}

export interface Status {
  kind: 'Status'
  apiVersion: 'v1'
  metadata: Record<string, never>
  status: 'Failure' | 'Success'
  message?: string
  reason?: string
  details?: StatusDetails
  code: number
}

export class ApiError extends Error {
  readonly status: Status

  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message)
    this.name = 'ApiError'
    this.status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      ...(details ? { details } : {}),
      code
    }
  }

  get code(): number {
    return this.status.code
  }

  get reason(): string {
    return this.status.reason ?? ''
  }
}

function detailsFor(type: ResourceType, name?: string): StatusDetails {
  return {
    ...(name ? { name } : {}),
    ...(type.group ? { group: type.group } : {}),
    kind: type.resource
  }
}

export function notFound(type: ResourceType, name: string): ApiError {
  return new ApiError(
    404,
    'NotFound',
    `${qualifiedResource(type)} "${name}" not found`,
    detailsFor(type, name)
  )
}

export function alreadyExists(type: ResourceType, name: string): ApiError {
  return new ApiError(
    409,
    'AlreadyExists',
    `${qualifiedResource(type)} "${name}" already exists`,
    detailsFor(type, name)
  )
}

export function conflict(type: ResourceType, name: string, why?: string): ApiError {
  const reason =
    why ?? 'the object has been modified; please apply your changes to the latest version and try again'
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(type)} "${name}": ${reason}`,
    detailsFor(type, name)
  )
}

export interface FieldError {
  field: string
  type:
    | 'FieldValueRequired'
    | 'FieldValueInvalid'
    | 'FieldValueDuplicate'
    | 'FieldValueForbidden'
    | 'FieldValueTypeInvalid'
    | 'FieldValueNotSupported'
    | 'FieldValueTooLong'
    | 'FieldValueTooMany'
  /** The error body after the field, e.g. `Required value` or `Invalid value: -1: must be ...`. */
  detail: string
}

export function required(field: string): FieldError {
  return { field, type: 'FieldValueRequired', detail: 'Required value' }
}

export function invalidValue(field: string, value: unknown, why: string): FieldError {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value)
  return { field, type: 'FieldValueInvalid', detail: `Invalid value: ${shown}: ${why}` }
}

export function duplicate(field: string, value: string): FieldError {
  return { field, type: 'FieldValueDuplicate', detail: `Duplicate value: ${JSON.stringify(value)}` }
}

export function forbiddenField(field: string, why: string): FieldError {
  return { field, type: 'FieldValueForbidden', detail: `Forbidden: ${why}` }
}

export function notSupported(field: string, value: string, supported: string[]): FieldError {
  return {
    field,
    type: 'FieldValueNotSupported',
    detail: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`
  }
}

/**
 * 422 Invalid. `kind` overrides the kind named in the message and details (a custom object
 * sent with the wrong kind is reported under the kind it claimed).
 */
export function invalid(type: ResourceType, name: string, errors: FieldError[], kind = type.kind): ApiError {
  const rendered = errors.map((e) => `${e.field}: ${e.detail}`)
  const summary = rendered.length === 1 ? rendered[0] : `[${rendered.join(', ')}]`
  const qualified = type.group ? `${kind}.${type.group}` : kind
  return new ApiError(422, 'Invalid', `${qualified} "${name}" is invalid: ${summary}`, {
    name,
    ...(type.group ? { group: type.group } : {}),
    kind,
    causes: errors.map((e) => ({ reason: e.type, message: e.detail, field: e.field }))
  })
}

/** A JSON Patch that cannot be applied: the generic 422 the patch handler returns. */
export function unprocessablePatch(message: string): ApiError {
  return new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {
    causes: [{ reason: 'UnexpectedServerResponse', message }]
  })
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message)
}

export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized')
}

export interface ForbiddenRequest {
  user: string
  verb: string
  type: ResourceType
  subresource?: string
  namespace?: string
  name?: string
}

export function forbidden(request: ForbiddenRequest): ApiError {
  const { user, verb, type, subresource, namespace, name } = request
  const resource = subresource ? `${type.resource}/${subresource}` : type.resource
  const subject = name ? `${qualifiedResource(type)} "${name}"` : qualifiedResource(type)
  const scope = namespace ? `in the namespace "${namespace}"` : 'at the cluster scope'
  return new ApiError(
    403,
    'Forbidden',
    `${subject} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${type.group}" ${scope}`,
    detailsFor(type, name)
  )
}

export function namespaceTerminating(type: ResourceType, name: string, namespace: string): ApiError {
  return new ApiError(
    403,
    'Forbidden',
    `${qualifiedResource(type)} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
    detailsFor(type, name)
  )
}

export function expired(message: string): ApiError {
  return new ApiError(410, 'Expired', message)
}

export function methodNotAllowed(): ApiError {
  return new ApiError(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource'
  )
}

/** What the apiserver says to a strategic merge patch of a custom object: it has no patch strategy. */
export function unsupportedCustomPatch(): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml'
  )
}

export function unsupportedMediaType(contentType: string): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got ${contentType || 'none'}; server-side apply is not simulated)`
  )
}

export function pathNotFound(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource')
}
