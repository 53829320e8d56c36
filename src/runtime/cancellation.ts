/**
 * The runner cancels a step with SIGINT, then SIGTERM a few seconds later. Both abort the
 * returned signal once, so the stage can stop waiting, leave nothing half-applied and
 * record why; a second signal is left to Node's default handling.
 */
export function abortOnTermination(process_: NodeJS.Process = process): {
  signal: AbortSignal
  dispose(): void
} {
  const controller = new AbortController()
  const onSignal = (name: NodeJS.Signals) => {
    if (!controller.signal.aborted) controller.abort(new Error(`received ${name}`))
  }
  process_.on('SIGINT', onSignal)
  process_.on('SIGTERM', onSignal)
  return {
    signal: controller.signal,
    dispose() {
      process_.off('SIGINT', onSignal)
      process_.off('SIGTERM', onSignal)
    }
  }
}
