/**
 * Core v1 Events and events.k8s.io/v1 Events are one stored kind served in two shapes, as
 * in the real apiserver (pkg/apis/events/v1 conversion). Events are stored in the core shape;
 * these convert for reads and writes through events.k8s.io.
 */
import type { KubeObject } from './kube-types.js'

type Fields = Record<string, unknown>

export function toEventsV1(core: KubeObject): KubeObject {
  const c = core as Fields
  const out: Fields = {
    kind: 'Event',
    apiVersion: 'events.k8s.io/v1',
    metadata: core.metadata,
    eventTime: c['eventTime'] ?? null
  }
  const copy = (from: string, to: string): void => {
    if (c[from] !== undefined && c[from] !== null) out[to] = c[from]
  }
  copy('series', 'series')
  copy('reportingComponent', 'reportingController')
  copy('reportingInstance', 'reportingInstance')
  copy('action', 'action')
  copy('reason', 'reason')
  copy('involvedObject', 'regarding')
  copy('related', 'related')
  copy('message', 'note')
  copy('type', 'type')
  copy('source', 'deprecatedSource')
  copy('firstTimestamp', 'deprecatedFirstTimestamp')
  copy('lastTimestamp', 'deprecatedLastTimestamp')
  copy('count', 'deprecatedCount')
  return out as KubeObject
}

export function fromEventsV1(event: KubeObject): KubeObject {
  const e = event as Fields
  const out: Fields = { kind: 'Event', apiVersion: 'v1', metadata: event.metadata }
  const copy = (from: string, to: string): void => {
    if (e[from] !== undefined && e[from] !== null) out[to] = e[from]
  }
  copy('eventTime', 'eventTime')
  copy('series', 'series')
  copy('reportingController', 'reportingComponent')
  copy('reportingInstance', 'reportingInstance')
  copy('action', 'action')
  copy('reason', 'reason')
  copy('regarding', 'involvedObject')
  copy('related', 'related')
  copy('note', 'message')
  copy('type', 'type')
  copy('deprecatedSource', 'source')
  copy('deprecatedFirstTimestamp', 'firstTimestamp')
  copy('deprecatedLastTimestamp', 'lastTimestamp')
  copy('deprecatedCount', 'count')
  out['involvedObject'] ??= {}
  return out as KubeObject
}
