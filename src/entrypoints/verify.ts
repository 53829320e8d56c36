import { runStage } from '../runtime/run-stage.js'
import { verifyStage } from '../stages/verify/verify-stage.js'

void runStage(verifyStage)
