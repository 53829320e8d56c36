/**
 * Records core v1 Events the way client-go's legacy recorder does: one Event per
 * (object, type, reason, message, source), named `<object>.<hex>`, and repeats increment
 * `count` and `lastTimestamp` instead of creating new Events.
 */
import type { ResourceType } from '../api-resources.js'
import type { CoreEvent, KubeObject } from '../kube-types.js'
import type { ResourceOperations } from '../resource-operations.js'
import { formatTime } from '../time-format.js'

export interface EventSource {
  component: string
  host?: string
  fieldPath?: string
}

export class EventRecorder {
  private readonly names = new Map<string, string>()
  private sequence = 0

  constructor(
    private readonly ops: ResourceOperations,
    private readonly eventType: ResourceType,
    private readonly now: () => number
  ) {}

  record(
    regarding: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    source: EventSource
  ): void {
    const namespace = regarding.metadata.namespace ?? 'default'
    const key = [
      regarding.metadata.uid,
      source.fieldPath,
      type,
      reason,
      message,
      source.component,
      source.host
    ].join('\u0000')
    const nowText = formatTime(this.now())
    const existingName = this.names.get(key)
    const existing = existingName
      ? (this.ops.peek(this.eventType, namespace, existingName) as CoreEvent | undefined)
      : undefined
    if (existing) {
      this.ops.update(this.eventType, namespace, existingName!, {
        ...existing,
        count: (existing.count ?? 1) + 1,
        lastTimestamp: nowText
      })
      return
    }
    const stamp = BigInt(this.now()) * 1_000_000n + BigInt(this.sequence++)
    const name = `${regarding.metadata.name}.${stamp.toString(16)}`
    const event: CoreEvent = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: {
        kind: regarding.kind,
        namespace: regarding.metadata.namespace,
        name: regarding.metadata.name,
        uid: regarding.metadata.uid,
        apiVersion: regarding.apiVersion,
        resourceVersion: regarding.metadata.resourceVersion,
        ...(source.fieldPath ? { fieldPath: source.fieldPath } : {})
      },
      reason,
      message,
      source: { component: source.component, ...(source.host ? { host: source.host } : {}) },
      firstTimestamp: nowText,
      lastTimestamp: nowText,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: source.component,
      reportingInstance: source.host ?? ''
    }
    try {
      this.ops.create(this.eventType, namespace, event)
      this.names.set(key, name)
    } catch {
      // The namespace may be going away; like the real recorder, dropping an event is fine.
    }
  }
}
