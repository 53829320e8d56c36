import { runStage } from '../runtime/run-stage.js'
import { rootStage } from '../stages/root/root-stage.js'

void runStage(rootStage)
