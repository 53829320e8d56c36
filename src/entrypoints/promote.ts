import { runStage } from '../runtime/run-stage.js'
import { promoteStage } from '../stages/promote/promote-stage.js'

// The same bundle serves `main:` and `post:`; the stage tells them apart by its saved state.
void runStage(promoteStage)
