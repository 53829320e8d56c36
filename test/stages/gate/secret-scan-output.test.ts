import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startGateWorld, type GateWorld } from './support.js'

// Shaped like real credentials so the scan rules fire; none of them is one.
const VALUES = [
  `ghp_${'Zq9'.repeat(12)}`,
  'vT7#qL2!xR9@mW4$',
  `xoxb-${'7'.repeat(12)}-${'k9'.repeat(12)}`,
  'postgres://app:Sup3r-S3cret-Pw@db.internal/shop'
]

describe('the secrets gate through the gate stage', () => {
  let world: GateWorld
  beforeEach(async () => {
    world = await startGateWorld()
    mkdirSync(join(world.workspace, 'config'))
  })
  afterEach(async () => {
    await world.close()
  })

  it('never echoes a secret: not in the log, the job summary, the check run or the outputs', async () => {
    world.config(
      'environments:\n  production:\n    mode: gitops\n    gitops: { path: k.yaml, image-name: web }\n    gates:\n      - uses: secrets\n        with: { paths: [config] }\n'
    )
    world.write(
      'config/production.yaml',
      `app:\n  github_token: ${VALUES[0]}\n  db_password: "${VALUES[1]}"\n  slack: ${VALUES[2]}\n  database_url: ${VALUES[3]}\n`
    )
    const run = await world.run()
    expect(run.report?.failedGates).toEqual(['secrets'])
    expect(run.report?.gates[0]?.summary).toContain('4 plaintext secret(s)')
    const [checkRun] = world.ownCheckRuns()
    const everything = [
      JSON.stringify(run.logger.entries),
      run.io.summary,
      JSON.stringify(run.io.outputs),
      run.io.failed ?? '',
      JSON.stringify(checkRun!.output)
    ].join('\n')
    expect(everything).toContain('config/production.yaml:2')
    expect(everything).toContain('credentials-in-url')
    for (const value of VALUES) expect(everything).not.toContain(value)
    // Nor any long piece of one.
    for (const value of VALUES)
      for (let i = 0; i + 8 <= value.length; i++) expect(everything).not.toContain(value.slice(i, i + 8))
  })
})
