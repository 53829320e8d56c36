// Reference bundle for the start-up benchmark: @actions/core and zod, the floor of a stage that validates its inputs.
import * as core from '@actions/core'
import { z } from 'zod'

const inputs = z.object({ environment: z.string().min(1) })
const parsed = inputs.safeParse({ environment: core.getInput('environment') })
if (!parsed.success) core.setFailed(parsed.error.issues.map((i) => i.message).join('; '))
