import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { requiredChecks } from '../../src/gates/required-checks.js'
import { OTHER_SHA, SHA, startGateHarness, type GateHarness } from './support/gate-harness.js'

describe('required-checks gate', () => {
  let h: GateHarness
  beforeEach(async () => {
    h = await startGateHarness()
  })
  afterEach(async () => {
    h.github.assertNoViolations()
    await h.close()
  })
  afterAll(() => undefined)

  const completed = (
    name: string,
    conclusion: 'success' | 'failure' | 'skipped' | 'timed_out' = 'success',
    sha = SHA
  ) => h.github.addCheckRun({ head_sha: sha, name, status: 'completed', conclusion })

  it('passes when every named check run and commit status succeeded', async () => {
    completed('unit tests')
    completed('lint')
    h.github.addCommitStatus(SHA, {
      context: 'ci/image-build',
      state: 'success',
      target_url: 'https://ci.example/1'
    })
    const result = await h.run(requiredChecks, { checks: ['unit tests', 'lint', 'ci/image-build'] })
    expect(result.status).toBe('passed')
    expect(result.summary).toBe('all 3 required checks succeeded')
    expect(result.evidence.map((e) => [e.label, e.value])).toEqual(
      expect.arrayContaining([
        ['unit tests', 'success'],
        ['ci/image-build', 'success']
      ])
    )
  })

  it('fails naming the conclusion of each failed check, and counts a failed commit status', async () => {
    completed('unit tests')
    completed('lint', 'failure')
    completed('e2e', 'timed_out')
    h.github.addCommitStatus(SHA, { context: 'security/snyk', state: 'error', description: 'scan crashed' })
    const result = await h.run(requiredChecks, { checks: ['unit tests', 'lint', 'e2e', 'security/snyk'] })
    expect(result.status).toBe('failed')
    expect(result.summary).toContain('3 of 4 required checks did not succeed')
    expect(result.summary).toContain('lint (failure)')
    expect(result.summary).toContain('e2e (timed_out)')
    expect(result.summary).toContain('security/snyk (error)')
    // Failures come first in the evidence, with a link to the run.
    expect(result.evidence[0]).toMatchObject({
      label: 'lint',
      value: 'failure',
      url: expect.stringContaining('/runs/')
    })
  })

  it('is pending while checks are queued or in progress, and says which', async () => {
    completed('unit tests')
    h.github.addCheckRun({ head_sha: SHA, name: 'integration', status: 'in_progress' })
    h.github.addCheckRun({ head_sha: SHA, name: 'build', status: 'queued' })
    h.github.addCommitStatus(SHA, { context: 'deploy-preview', state: 'pending' })
    const result = await h.run(requiredChecks, {
      checks: ['unit tests', 'integration', 'build', 'deploy-preview']
    })
    expect(result.status).toBe('pending')
    expect(result.summary).toContain('integration (in progress)')
    expect(result.summary).toContain('build (queued)')
    expect(result.summary).toContain('deploy-preview (pending)')
  })

  it('reports a check that never ran on this SHA (a run on another SHA does not count)', async () => {
    completed('unit tests')
    completed('lint', 'success', OTHER_SHA)
    const result = await h.run(requiredChecks, { checks: ['unit tests', 'lint', 'test / *'] })
    expect(result.status).toBe('pending')
    expect(result.summary).toContain('never ran: lint, test / *')
    expect(result.evidence).toContainEqual({ label: 'lint', value: 'never ran' })
  })

  it('a failure still fails when other checks never ran', async () => {
    completed('lint', 'failure')
    const result = await h.run(requiredChecks, { checks: ['lint', 'unit tests'] })
    expect(result.status).toBe('failed')
    expect(result.summary).toContain('never ran: unit tests')
  })

  it('counts the newest run of a name after a re-run superseded a failure', async () => {
    completed('integration', 'failure')
    completed('integration', 'success')
    h.github.addCommitStatus(SHA, { context: 'legacy-ci', state: 'failure' })
    h.github.addCommitStatus(SHA, { context: 'legacy-ci', state: 'success' })
    const result = await h.run(requiredChecks, { checks: ['integration', 'legacy-ci'] })
    expect(result).toMatchObject({ status: 'passed', summary: 'all 2 required checks succeeded' })
  })

  it('a re-run in progress makes the check pending again, even after an earlier success', async () => {
    completed('integration', 'success')
    h.github.addCheckRun({ head_sha: SHA, name: 'integration', status: 'in_progress' })
    expect((await h.run(requiredChecks, { checks: ['integration'] })).status).toBe('pending')
  })

  it('reads every page when a commit has more than 100 check runs', async () => {
    for (let i = 0; i < 230; i++) completed(`shard ${String(i).padStart(3, '0')}`)
    completed('shard 229-extra', 'failure')
    h.takeRequests()
    const result = await h.run(requiredChecks, { checks: ['shard *'] })
    expect(result.status).toBe('failed')
    expect(result.summary).toContain('1 of 231 required checks did not succeed')
    const pages = h.takeRequests().filter((r) => r.path.endsWith('/check-runs'))
    expect(pages.map((r) => r.query['page'] ?? '1')).toEqual(['1', '2', '3'])
  })

  it('reads every page of the combined status when a commit has more than 100 status contexts', async () => {
    for (let i = 0; i < 130; i++) h.github.addCommitStatus(SHA, { context: `ci/job-${i}`, state: 'success' })
    h.github.addCommitStatus(SHA, { context: 'ci/job-7', state: 'failure' })
    h.takeRequests()
    const result = await h.run(requiredChecks, { checks: ['ci/*'] })
    expect(result.summary).toBe('1 of 130 required checks did not succeed; failed: ci/job-7 (failure)')
    expect(
      h
        .takeRequests()
        .filter((r) => r.path.endsWith('/status'))
        .map((r) => r.query['page'])
    ).toEqual(['1', '2'])
  })

  it('matches wildcards and ignores the action’s own check run', async () => {
    completed('test / unit')
    completed('test / e2e')
    completed('promotion gates (production)', 'failure')
    const result = await h.run(requiredChecks, { checks: ['test / *', '*'] })
    expect(result.status).toBe('passed')
    expect(result.evidence.map((e) => e.label)).not.toContain('promotion gates (production)')
  })

  it('accepts configured conclusions only', async () => {
    completed('optional', 'skipped')
    expect((await h.run(requiredChecks, { checks: ['optional'] })).status).toBe('passed')
    expect((await h.run(requiredChecks, { checks: ['optional'], conclusions: ['success'] })).status).toBe(
      'failed'
    )
  })

  it('names the permissions: line when the token may not read check runs', async () => {
    h.github.denyPermission({ pathPattern: /\/check-runs$/ })
    await expect(h.run(requiredChecks, { checks: ['lint'] })).rejects.toThrow(/permissions:\n\s+checks: read/)
  })

  it('names the permissions: line when the token may not read commit statuses', async () => {
    h.github.denyPermission({ pathPattern: /\/status$/ })
    await expect(h.run(requiredChecks, { checks: ['lint'] })).rejects.toThrow(
      /permissions:\n\s+statuses: read/
    )
  })

  it('rejects settings without checks, naming what is expected', () => {
    const parsed = requiredChecks.settings.safeParse({ checks: [] })
    expect(parsed.success).toBe(false)
    expect(requiredChecks.settings.safeParse({ checks: ['x'], wait: '5m' }).data).toMatchObject({
      wait: 300_000
    })
  })
})
