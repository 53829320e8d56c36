import type { KubernetesWorkloadApi, WatchRequest } from '../../../src/kubernetes/api/kubernetes-api.js'

/** Runs one watch until the server ends it; the event types it delivered, in order. */
export async function watchToEnd(api: KubernetesWorkloadApi, request: WatchRequest): Promise<string[]> {
  const events: string[] = []
  await new Promise<void>((resolve) => {
    void api.watch(
      request,
      (event) => void events.push(event.type),
      () => resolve()
    )
  })
  return events
}
