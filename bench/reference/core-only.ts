// Reference bundle for the start-up benchmark: @actions/core alone, failing like a stage without inputs.
import * as core from '@actions/core'

core.setFailed(`Input required and not supplied: ${core.getInput('environment') || 'environment'}`)
