// Reference bundle for the start-up benchmark: @actions/core and zod, the issue's "about 2.7x" yardstick.
import * as core from '@actions/core'
import { z } from 'zod'

const inputs = z.object({ environment: z.string().min(1) })
const parsed = inputs.safeParse({ environment: core.getInput('environment') })
if (!parsed.success) core.setFailed(parsed.error.issues.map((i) => i.message).join('; '))
