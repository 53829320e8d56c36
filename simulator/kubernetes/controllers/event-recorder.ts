/**
 * Records core v1 Events the way client-go's legacy recorder does: one Event per
 * (object, type, reason, message, source), named `<object>.<hex>`, and repeats increment
 * `count` and `lastTimestamp` instead of creating new Events. Like its EventAggregator, once
 * ten different messages for the same (object, type, reason, source) arrive within ten
 * minutes, later ones go to a single "(combined from similar events): <latest message>" Event.
 * The recorder's spam filter (25 events per object, then one per five minutes) is not simulated.
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

const maxSimilarMessages = 10
const similarWindowMs = 10 * 60 * 1000

export class EventRecorder {
  private readonly names = new Map<string, string>()
  private readonly similar = new Map<string, { messages: Set<string>; last: number }>()
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
    const similarKey = [
      regarding.metadata.uid,
      source.fieldPath,
      type,
      reason,
      source.component,
      source.host
    ].join('\u0000')
    const now = this.now()
    let group = this.similar.get(similarKey)
    if (!group || now - group.last > similarWindowMs) {
      group = { messages: new Set(), last: now }
      this.similar.set(similarKey, group)
    }
    group.messages.add(message)
    group.last = now
    if (group.messages.size >= maxSimilarMessages) {
      group.messages.delete(group.messages.values().next().value!)
      this.write(
        `${similarKey}\u0000combined`,
        regarding,
        type,
        reason,
        `(combined from similar events): ${message}`,
        source,
        true
      )
      return
    }
    this.write(`${similarKey}\u0000${message}`, regarding, type, reason, message, source, false)
  }

  private write(
    key: string,
    regarding: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    source: EventSource,
    combined: boolean
  ): void {
    const namespace = regarding.metadata.namespace ?? 'default'
    const nowText = formatTime(this.now())
    const existingName = this.names.get(key)
    const existing = existingName
      ? (this.ops.peek(this.eventType, namespace, existingName) as CoreEvent | undefined)
      : undefined
    if (existing) {
      this.ops.update(this.eventType, namespace, existingName!, {
        ...existing,
        count: (existing.count ?? 1) + 1,
        message,
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
      // The aggregator's combined Event is built without the reporting fields.
      reportingComponent: combined ? '' : source.component,
      reportingInstance: combined ? '' : (source.host ?? '')
    }
    try {
      this.ops.create(this.eventType, namespace, event)
      this.names.set(key, name)
    } catch {
      // The namespace may be going away; like the real recorder, dropping an event is fine.
    }
  }
}
