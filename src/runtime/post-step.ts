import { State, type ActionIO } from './action-io.js'

/**
 * One bundle serves an action's `main:` and `post:` (as actions/checkout does): the main
 * step saves IsPost, and the runner hands saved state only to the post step.
 */
export function isPostStep(io: ActionIO): boolean {
  return io.getState(State.IsPost) === 'true'
}

export function markMainStepStarted(io: ActionIO): void {
  io.saveState(State.IsPost, 'true')
}
