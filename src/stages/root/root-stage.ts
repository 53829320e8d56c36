import { Input, Output, type ActionIO, type InputName, type OutputName } from '../../runtime/action-io.js'
import { ConfigurationError, OperationalError } from '../../runtime/errors.js'
import type { StageContext } from '../../runtime/run-stage.js'

const STAGES = ['gate', 'promote', 'verify', 'all', 'check'] as const
type StageName = (typeof STAGES)[number]

/**
 * The root action (`uses: org/promote-action@v1`): runs one stage, or all three in order;
 * `check` is the drift report (no promotion, every environment pair).
 * Each stage is loaded only when it runs, so `stage: gate` never loads the Kubernetes client.
 * With `all`, what an earlier stage outputs (deployment-id, image) is what a later stage
 * would otherwise be given as an input, and the environment lock is held through verify.
 */
export async function rootStage(context: StageContext): Promise<void> {
  const stage = (context.io.getInput(Input.Stage) || 'all') as StageName
  if (!STAGES.includes(stage))
    throw new ConfigurationError([
      { path: `input ${Input.Stage}`, value: stage, expected: `one of: ${STAGES.join(', ')}` }
    ])

  const io = chainOutputsToInputs(context.io)
  const chained = { ...context, io }
  const { isPostStep } = await import('../../runtime/post-step.js')
  if (isPostStep(context.io)) {
    if (stage === 'promote' || stage === 'all')
      await (await import('../promote/promote-stage.js')).promoteStage(chained)
    return
  }
  const gates =
    stage === 'gate' || stage === 'all'
      ? await (await import('../gate/gate-stage.js')).gateStage(chained)
      : undefined
  if (stage === 'promote') await (await import('../promote/promote-stage.js')).promoteStage(chained)
  if (stage === 'verify') await (await import('../verify/verify-stage.js')).verifyStage(chained)
  if (stage === 'check') await (await import('../check/check-stage.js')).checkStage(chained)
  if (stage === 'all') await promoteThenVerifyUnderOneLock(chained, gates?.passed === true)
}

/**
 * `stage: all` holds the environment lock from promote through verify: verify may roll the
 * environment back, and no other run may promote into it in between. Released when verify
 * ends, however it ends; the post step releases it if this process cannot.
 */
async function promoteThenVerifyUnderOneLock(context: StageContext, gatesPassed: boolean): Promise<void> {
  let releaseLock: (() => Promise<void>) | undefined
  let lockLost: AbortSignal | undefined
  try {
    const { promote } = await import('../promote/promote-stage.js')
    await promote(context, {
      // The gates just ran in this step: promote need not find their check run.
      gatesPassed,
      keepLock: (release, lost) => {
        releaseLock = release
        lockLost = lost
      }
    })
    // Losing the lock stops verify like a cancellation: no rollback over another run's promotion.
    const signal = lockLost ? AbortSignal.any([context.signal, lockLost]) : context.signal
    try {
      await (await import('../verify/verify-stage.js')).verifyStage({ ...context, signal })
    } catch (error) {
      if (lockLost?.aborted && !context.signal.aborted)
        throw new OperationalError(
          `${String(lockLost.reason)} Verification stopped and nothing was rolled back: another run may now be promoting this environment.`,
          { title: 'Promotion lock lost', cause: error }
        )
      throw error
    }
  } finally {
    await releaseLock?.()
  }
}

/** Outputs of an earlier stage that a later stage reads as an input of the same name. */
const CHAINED: Partial<Record<InputName, OutputName>> = {
  [Input.DeploymentId]: Output.DeploymentId,
  [Input.Image]: Output.Image
}

function chainOutputsToInputs(io: ActionIO): ActionIO {
  const produced = new Map<OutputName, string>()
  // Delegates method by method: spreading `io` would drop the methods of a class instance.
  return {
    saveState: (name, value) => io.saveState(name, value),
    getState: (name) => io.getState(name),
    appendSummary: (markdown) => io.appendSummary(markdown),
    setFailed: (message, title) => io.setFailed(message, title),
    getInput(name) {
      const given = io.getInput(name)
      const chainedFrom = CHAINED[name]
      return given || (chainedFrom ? (produced.get(chainedFrom) ?? '') : '')
    },
    setOutput(name, value) {
      produced.set(name, value)
      io.setOutput(name, value)
    }
  }
}
