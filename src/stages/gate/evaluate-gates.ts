import type { GateContext } from '../../gates/gate-context.js'
import type { Evidence, GateResult, GateStatus } from '../../gates/gate-definition.js'
import type { Clock } from '../../runtime/clock.js'
import { formatDuration } from '../../config/duration.js'
import type { Logger } from '../../runtime/logger.js'
import type { ConfiguredGate } from '../../settings/gate-settings.js'

/** One gate's final answer, as reported. */
export interface GateRecord {
  name: string
  uses: string
  status: GateStatus
  summary: string
  evidence: Evidence[]
  warnings: string[]
  /** From the first attempt to the final answer, waits included. */
  durationMs: number
  attempts: number
}

export interface EvaluateOptions {
  pending: 'fail' | 'wait'
  timeoutMs: number
  clock: Clock
  logger: Logger
  /** The run's cancellation. */
  signal: AbortSignal
  /** Pause between re-checks of pending gates. */
  pollIntervalMs: number
  contextFor(gate: ConfiguredGate, signal: AbortSignal): GateContext
  /** Called before pending gates are run again: forget cached reads. */
  newRound(): void
  /** Called once, when the first wait begins, with the interim records (to show them in progress). */
  onWaiting?(records: GateRecord[]): Promise<void>
}

const STATUSES: readonly GateStatus[] = ['passed', 'failed', 'pending', 'skipped', 'errored']

/**
 * Runs every gate at once and, when waiting is allowed, runs the pending ones again every
 * poll interval until they settle, their wait ends, or the stage timeout does. A gate that
 * throws is `errored` with its message (permission errors carry the permissions: line); a
 * gate still running at the timeout is `errored` too, and never holds the stage past it.
 */
export async function evaluateGates(
  gates: readonly ConfiguredGate[],
  options: EvaluateOptions
): Promise<GateRecord[]> {
  const { clock, logger } = options
  const started = clock.now()
  const deadline = started + options.timeoutMs
  const timeout = new AbortController()
  const timer = setTimeout(
    () => timeout.abort(new Error(`the gate stage timeout (${formatDuration(options.timeoutMs)}) passed`)),
    options.timeoutMs
  )
  const signal = AbortSignal.any([options.signal, timeout.signal])
  try {
    const records = await Promise.all(gates.map((gate) => attempt(gate, undefined, started, signal, options)))
    let waited = false
    for (;;) {
      const waiting = gates
        .map((gate, index) => ({ gate, index }))
        .filter(
          ({ gate, index }) =>
            records[index]!.status === 'pending' && waitEnd(gate, started, deadline, options) > clock.now()
        )
      if (waiting.length === 0 || signal.aborted) break
      if (!waited) {
        waited = true
        logger.info(
          `Waiting for ${waiting.map((w) => w.gate.name).join(', ')} (checking every ${formatDuration(options.pollIntervalMs)})`
        )
        await options
          .onWaiting?.(records)
          .catch((error: unknown) =>
            logger.warning(`Could not show the gates in progress: ${(error as Error).message}`)
          )
      }
      const nextRound = Math.min(
        options.pollIntervalMs,
        ...waiting.map(({ gate }) => waitEnd(gate, started, deadline, options) - clock.now())
      )
      try {
        await clock.sleep(Math.max(0, nextRound), signal)
      } catch {
        break
      }
      options.newRound()
      const again = await Promise.all(
        waiting.map(({ gate, index }) => attempt(gate, records[index], started, signal, options))
      )
      again.forEach((record, i) => (records[waiting[i]!.index] = record))
    }
    for (const [index, record] of records.entries()) {
      if (record.status !== 'pending') continue
      const gate = gates[index]!
      const waitedFor = waitEnd(gate, started, deadline, options) > started
      if (waitedFor)
        record.summary += ` (still pending after waiting ${formatDuration(Math.round(Math.max(0, clock.now() - started) / 1000) * 1000)})`
    }
    return records
  } finally {
    clearTimeout(timer)
  }
}

/** Until when a pending gate may be waited for: its own `wait`, else the policy's, never past the deadline. */
function waitEnd(gate: ConfiguredGate, started: number, deadline: number, options: EvaluateOptions): number {
  if (gate.waitMs !== undefined) return Math.min(started + gate.waitMs, deadline)
  return options.pending === 'wait' ? deadline : started
}

async function attempt(
  gate: ConfiguredGate,
  previous: GateRecord | undefined,
  started: number,
  signal: AbortSignal,
  options: EvaluateOptions
): Promise<GateRecord> {
  const context = options.contextFor(gate, signal)
  let result: GateResult
  try {
    result = normalise(await untilAborted(gate.definition.run(gate.settings, context), signal))
  } catch (error) {
    result = { status: 'errored', summary: describeError(error, signal, options.signal), evidence: [] }
  }
  const record: GateRecord = {
    name: gate.name,
    uses: gate.uses,
    status: result.status,
    summary: result.summary,
    evidence: result.evidence,
    warnings: result.warnings ?? [],
    durationMs: Math.max(0, Math.round(options.clock.now() - started)),
    attempts: (previous?.attempts ?? 0) + 1
  }
  // A gate that did not pass is said once, by the stage's report (an annotation); here it is
  // progress for the debug log only.
  if (record.status === 'passed' || record.status === 'skipped')
    context.logger.info(`${record.status}: ${record.summary}`)
  else context.logger.debug(`${record.status}: ${record.summary}`)
  return record
}

/** A gate that ignores its signal must still not hold the stage past the timeout. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      }
    )
  })
}

function normalise(result: GateResult): GateResult {
  if (!result || !STATUSES.includes(result.status))
    return {
      status: 'errored',
      summary: `the gate returned no valid status (${JSON.stringify(result?.status)})`,
      evidence: []
    }
  return {
    ...result,
    summary: result.summary || result.status,
    evidence: Array.isArray(result.evidence) ? result.evidence : []
  }
}

function describeError(error: unknown, signal: AbortSignal, cancellation: AbortSignal): string {
  if (cancellation.aborted)
    return `cancelled: ${String((cancellation.reason as Error)?.message ?? cancellation.reason)}`
  if (signal.aborted) return `did not finish: ${(signal.reason as Error)?.message ?? 'the stage timed out'}`
  return error instanceof Error ? error.message : String(error)
}
