/**
 * Validating admission: the plugins that look at an object after validation and before it is
 * stored (PodSecurity, then ResourceQuota, in the apiserver's order), and the 403 they answer.
 */
import { ApiError } from './api-errors.js'
import { qualifiedResource, type ResourceType } from './api-resources.js'
import type { KubeObject } from './kube-types.js'

export interface AdmissionRequest {
  type: ResourceType
  /** The object as it would be stored: defaulted, validated, with its generated name. */
  object: KubeObject
  dryRun: boolean
}

export interface AdmissionPlugin {
  /** Throws an ApiError to refuse the create. */
  admitCreate(request: AdmissionRequest): void
}

/** admission.NewForbidden: `pods "web-abc" is forbidden: <why>`. */
export function admissionForbidden(type: ResourceType, name: string, why: string): ApiError {
  return new ApiError(403, 'Forbidden', `${qualifiedResource(type)} "${name}" is forbidden: ${why}`, {
    name,
    ...(type.group ? { group: type.group } : {}),
    kind: type.resource
  })
}
