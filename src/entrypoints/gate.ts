import { runStage } from '../runtime/run-stage.js'
import { gateStage } from '../stages/gate/gate-stage.js'

void runStage(gateStage)
