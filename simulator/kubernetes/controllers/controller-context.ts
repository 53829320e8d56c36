/** What every simulated controller gets: the REST operations, the types it works on, events, a clock. */
import type { ResourceType } from '../api-resources.js'
import type { ImageBehaviours } from '../image-behaviours.js'
import type { ResourceOperations } from '../resource-operations.js'
import type { ResourceRegistry } from '../resource-registry.js'
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
  resourcequotas: ResourceType
}

export function controllerTypes(registry: ResourceRegistry): ControllerTypes {
  return {
    namespaces: registry.resolve('v1/namespaces'),
    nodes: registry.resolve('v1/nodes'),
    pods: registry.resolve('v1/pods'),
    events: registry.resolve('v1/events'),
    deployments: registry.resolve('apps/v1/deployments'),
    replicasets: registry.resolve('apps/v1/replicasets'),
    statefulsets: registry.resolve('apps/v1/statefulsets'),
    daemonsets: registry.resolve('apps/v1/daemonsets'),
    controllerrevisions: registry.resolve('apps/v1/controllerrevisions'),
    poddisruptionbudgets: registry.resolve('policy/v1/poddisruptionbudgets'),
    resourcequotas: registry.resolve('v1/resourcequotas')
  }
}

export interface ControllerContext {
  ops: ResourceOperations
  types: ControllerTypes
  registry: ResourceRegistry
  events: EventRecorder
  images: ImageBehaviours
  now(): number
}

/** A controller reconciles everything it owns once per tick. */
export interface Controller {
  sync(): void
}
