import { runStage } from '../runtime/run-stage.js'
import { lockStage } from '../stages/lock/lock-stage.js'

// The same bundle serves `main:` and `post:`; the stage tells them apart by its saved state.
void runStage(lockStage)
