import { runStage } from '../runtime/run-stage.js'
import { unlockStage } from '../stages/lock/unlock-stage.js'

void runStage(unlockStage)
