import { runStage } from '../runtime/run-stage.js'
import { checkStage } from '../stages/check/check-stage.js'

void runStage(checkStage)
