import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { migration } from '../../src/gates/migration.js'
import { SHA, startGateHarness, type GateHarness } from './support/gate-harness.js'

describe('migration gate', () => {
  let h: GateHarness
  beforeEach(async () => {
    h = await startGateHarness()
  })
  afterEach(async () => {
    h.github.assertNoViolations()
    await h.close()
  })

  it('passes when the migration job against staging data succeeded for the SHA', async () => {
    h.github.addCheckRun({
      head_sha: SHA,
      name: 'migrate / staging-data',
      status: 'completed',
      conclusion: 'success'
    })
    expect(await h.run(migration, { check: 'migrate / *' })).toMatchObject({ status: 'passed' })
  })

  it('only success counts: a skipped migration job fails', async () => {
    h.github.addCheckRun({ head_sha: SHA, name: 'migrate', status: 'completed', conclusion: 'skipped' })
    expect((await h.run(migration, { check: 'migrate' })).status).toBe('failed')
  })

  it('says to run the migration first when it never ran', async () => {
    const result = await h.run(migration, { check: 'migrate' })
    expect(result.status).toBe('pending')
    expect(result.summary).toBe(
      `the migration check "migrate" has not reported for ${SHA.slice(0, 7)}: run the migration job against staging first`
    )
  })

  it('requires the check name', () => {
    expect(migration.settings.safeParse({}).success).toBe(false)
  })
})
