/** What every simulated controller gets: the REST operations, the types it works on, events, a clock. */
import { resolveResourceType, type ResourceType } from '../api-resources.js'
import type { ImageBehaviours } from '../image-behaviours.js'
import type { ResourceOperations } from '../resource-operations.js'
import type { EventRecorder } from './event-recorder.js'

export interface ControllerTypes {
  namespaces: ResourceType
  nodes: ResourceType
  pods: ResourceType
  events: ResourceType
  deployments: ResourceType
  replicasets: ResourceType
  statefulsets: ResourceType
  daemonsets: ResourceType
  controllerrevisions: ResourceType
  poddisruptionbudgets: ResourceType
}

export function controllerTypes(): ControllerTypes {
  return {
    namespaces: resolveResourceType('v1/namespaces'),
    nodes: resolveResourceType('v1/nodes'),
    pods: resolveResourceType('v1/pods'),
    events: resolveResourceType('v1/events'),
    deployments: resolveResourceType('apps/v1/deployments'),
    replicasets: resolveResourceType('apps/v1/replicasets'),
    statefulsets: resolveResourceType('apps/v1/statefulsets'),
    daemonsets: resolveResourceType('apps/v1/daemonsets'),
    controllerrevisions: resolveResourceType('apps/v1/controllerrevisions'),
    poddisruptionbudgets: resolveResourceType('policy/v1/poddisruptionbudgets')
  }
}

export interface ControllerContext {
  ops: ResourceOperations
  types: ControllerTypes
  events: EventRecorder
  images: ImageBehaviours
  now(): number
}

/** A controller reconciles everything it owns once per tick. */
export interface Controller {
  sync(): void
}
