import { FastForwardClock } from '../../support/fast-forward-clock.js'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { OTHER_SHA, RUN_ID, SHA, startGateWorld, type GateWorld } from './support.js'

const BASE = `
environments:
  staging:
    namespace: shop-staging
    targets: [{ name: web }]
  production:
    from: staging
    namespace: shop
    targets: [{ name: web }]
`

const FIVE_GATES = `${BASE}    gates:
      - uses: required-checks
        with: { checks: [unit-tests, lint, typecheck, build-image] }
      - uses: upstream-deployed
      - uses: security
      - uses: approval
      - uses: concurrency
        with: { lease: { enabled: false } }
`

describe('gate stage', () => {
  let world: GateWorld
  beforeEach(async () => {
    world = await startGateWorld()
  })
  afterEach(async () => {
    world.github.assertNoViolations()
    await world.close()
  })

  const seedPassing = () => {
    for (const name of ['unit-tests', 'lint', 'typecheck', 'build-image'])
      world.github.addCheckRun({ head_sha: SHA, name, status: 'completed', conclusion: 'success' })
    world.github.addDeployment({ environment: 'staging', sha: SHA, statuses: [{ state: 'success' }] })
    world.github.setEnvironment('production', {
      protection_rules: [{ type: 'required_reviewers', reviewers: [{ type: 'Team', slug: 'on-call' }] }]
    })
  }

  it('passes five gates in at most 10 GitHub requests, reporting a check run, the job summary and the outputs', async () => {
    world.config(FIVE_GATES)
    seedPassing()
    const run = await world.run()
    expect(run.io.failed).toBeUndefined()
    expect(run.io.outputs).toMatchObject({ passed: 'true', 'failed-gates': '[]' })
    expect(run.report).toMatchObject({ passed: true, conclusion: 'success' })
    expect(run.report!.gates.map((g) => [g.name, g.status])).toEqual([
      ['required-checks', 'passed'],
      ['upstream-deployed', 'passed'],
      ['security', 'passed'],
      ['approval', 'passed'],
      ['concurrency', 'passed']
    ])
    const [checkRun] = world.ownCheckRuns()
    expect(checkRun).toMatchObject({
      head_sha: SHA,
      status: 'completed',
      conclusion: 'success',
      external_id: 'promote-action/gates/production',
      details_url: `https://github.com/acme/shop/actions/runs/${RUN_ID}/attempts/1`
    })
    expect(run.io.outputs['check-run-id']).toBe(String(checkRun!.id))
    expect(checkRun!.output.title).toBe('Promotion gates passed for production')
    expect(checkRun!.output.summary).toContain('| Gate | Status | Evidence | Duration |')
    expect(checkRun!.output.summary).toContain(
      '| required-checks | ✅ passed | all 4 required checks succeeded'
    )
    expect(run.io.summary).toContain('| approval | ✅ passed |')
    expect(run.io.summary).toContain('<details><summary>Evidence</summary>')

    const requests = world.github.requests
    // 2 (check runs, statuses) + 2 (deployments, one status) + 1 (alerts) + 2 (environment, this run's reviews) + 1 (deployments) + 1 (create check run)
    expect(requests.map((r) => `${r.method} ${r.operationId}`)).toHaveLength(9)
    expect(requests.length).toBeLessThanOrEqual(10)
  })

  it('fails the step in enforce mode, naming each gate that did not pass and why', async () => {
    world.config(FIVE_GATES)
    seedPassing()
    world.github.addCheckRun({ head_sha: SHA, name: 'lint', status: 'completed', conclusion: 'failure' })
    world.github.addDeployment({
      environment: 'production',
      sha: OTHER_SHA,
      statuses: [{ state: 'in_progress', log_url: 'https://github.com/acme/shop/actions/runs/1/job/2' }]
    })
    const run = await world.run()
    // Each failed gate is said once, in its own annotation; the failure names them.
    expect(run.io.failed).toBe(
      'Promotion gates did not pass for production: required-checks (failed), concurrency (pending). ' +
        `Each one's reason is in its annotation above and in the check run "promotion gates (production)".`
    )
    expect(run.logger.messages('error')).toContain(
      `concurrency pending: another promotion into production is under way: ${run.report!.gates[4]!.summary.split('under way: ')[1]}`
    )
    expect(JSON.parse(run.io.outputs['failed-gates']!)).toEqual(['required-checks', 'concurrency'])
    expect(run.io.outputs['passed']).toBe('false')
    expect(world.ownCheckRuns()[0]).toMatchObject({
      conclusion: 'failure',
      output: { title: '2 of 5 promotion gates did not pass for production' }
    })
    expect(run.logger.messages('error')).toContain(
      'required-checks failed: 1 of 4 required checks did not succeed; failed: lint (failure)'
    )
  })

  it('never fails the step in report mode (the default on pull requests): the check run carries the verdict', async () => {
    world.config(FIVE_GATES)
    seedPassing()
    world.github.addCheckRun({ head_sha: SHA, name: 'lint', status: 'completed', conclusion: 'failure' })
    world.github.denyPermission({ pathPattern: /code-scanning/ })
    const run = await world.run({ event: 'pull_request' })
    expect(run.io.failed).toBeUndefined()
    expect(run.report).toMatchObject({
      passed: false,
      conclusion: 'failure',
      failedGates: ['required-checks', 'security']
    })
    expect(run.report!.gates[2]!).toMatchObject({
      status: 'errored',
      summary: expect.stringContaining('permissions:\n    security-events: read')
    })
    expect(world.ownCheckRuns()[0]!.conclusion).toBe('failure')
    expect(run.logger.text).toContain('Mode report (default for pull request events)')
    expect(run.logger.text).toContain(
      'Report mode: the step succeeds; the check run "promotion gates (production)" carries the verdict (failure).'
    )
    expect(run.logger.messages('error')).toEqual([])
  })

  it('the mode input overrides the event default', async () => {
    world.config(`${BASE}    gates: [{ uses: required-checks, with: { checks: [lint] } }]\n`)
    expect((await world.run({ event: 'pull_request', inputs: { mode: 'enforce' } })).io.failed).toContain(
      'required-checks (pending)'
    )
    expect((await world.run({ inputs: { mode: 'report' } })).io.failed).toBeUndefined()
  })

  it('updates its check run on a re-run instead of adding another', async () => {
    world.config(`${BASE}    gates: [{ uses: required-checks, with: { checks: [lint] } }]\n`)
    world.github.addCheckRun({ head_sha: SHA, name: 'lint', status: 'completed', conclusion: 'failure' })
    const first = await world.run()
    expect(world.ownCheckRuns()).toHaveLength(1)
    expect(world.ownCheckRuns()[0]!.conclusion).toBe('failure')

    world.github.addCheckRun({ head_sha: SHA, name: 'lint', status: 'completed', conclusion: 'success' })
    const second = await world.run({ env: { GITHUB_RUN_ATTEMPT: '2' } })
    expect(second.io.failed).toBeUndefined()
    expect(world.ownCheckRuns()).toHaveLength(1)
    expect(world.ownCheckRuns()[0]).toMatchObject({
      conclusion: 'success',
      id: Number(first.io.outputs['check-run-id'])
    })
    expect(second.io.outputs['check-run-id']).toBe(first.io.outputs['check-run-id'])
    expect(world.github.requests.filter((r) => r.operationId === 'checks/update')).toHaveLength(1)
  })

  it('keeps separate check runs per environment on one SHA', async () => {
    world.config(`${BASE}    gates: []\n`)
    await world.run()
    await world.run({ inputs: { environment: 'staging' } })
    expect(world.ownCheckRuns('production')).toHaveLength(1)
    expect(world.ownCheckRuns('staging')).toHaveLength(1)
    expect(world.ownCheckRuns('production')[0]).toMatchObject({
      conclusion: 'neutral',
      output: { title: 'No promotion gates configured for production' }
    })
  })

  it('waits for pending gates when gate-policy.pending is wait, showing them in progress meanwhile', async () => {
    world.config(
      `${BASE}    gate-policy: { pending: wait, timeout: 10m }\n    gates: [{ uses: required-checks, with: { checks: [integration] } }]\n`
    )
    world.github.addCheckRun({ head_sha: SHA, name: 'integration', status: 'in_progress' })
    const clock = new FastForwardClock({
      onSleep: (index) => {
        if (index === 0) {
          // While the gate stage waits: the in-progress check run is visible, then integration finishes.
          expect(world.ownCheckRuns()[0]).toMatchObject({
            status: 'in_progress',
            output: { title: 'Waiting for required-checks' }
          })
          world.github.addCheckRun({
            head_sha: SHA,
            name: 'integration',
            status: 'completed',
            conclusion: 'success'
          })
        }
      }
    })
    const run = await world.run({ clock, pollIntervalMs: 30_000 })
    expect(run.io.failed).toBeUndefined()
    expect(run.report!.gates[0]).toMatchObject({ status: 'passed', attempts: 2 })
    expect(clock.sleeps).toEqual([30_000])
    expect(world.ownCheckRuns()).toHaveLength(1)
    expect(world.ownCheckRuns()[0]!.conclusion).toBe('success')
  })

  it('stops waiting at the timeout and reports the gate still pending', async () => {
    world.config(
      `${BASE}    gate-policy: { pending: wait, timeout: 2m }\n    gates: [{ uses: required-checks, with: { checks: [integration] } }]\n`
    )
    world.github.addCheckRun({ head_sha: SHA, name: 'integration', status: 'queued' })
    const clock = new FastForwardClock()
    const run = await world.run({ clock, pollIntervalMs: 45_000 })
    expect(clock.sleeps.slice(0, 2)).toEqual([45_000, 45_000])
    // The last wait ends at the deadline (2m after the start, real time included).
    expect(clock.sleeps).toHaveLength(3)
    expect(clock.sleeps[2]).toBeGreaterThan(25_000)
    expect(clock.sleeps[2]).toBeLessThanOrEqual(30_000)
    expect(run.report!.gates[0]).toMatchObject({
      status: 'pending',
      attempts: 4,
      summary: expect.stringContaining('(still pending after waiting 2m)')
    })
    expect(run.io.failed).toContain('required-checks (pending)')
  })

  it('a gate’s own wait applies even when pending gates fail by policy', async () => {
    world.config(`${BASE}    gates: [{ uses: migration, with: { check: migrate, wait: 1m } }]\n`)
    const clock = new FastForwardClock({
      onSleep: (index) => {
        if (index === 1)
          world.github.addCheckRun({
            head_sha: SHA,
            name: 'migrate',
            status: 'completed',
            conclusion: 'success'
          })
      }
    })
    const run = await world.run({ clock, pollIntervalMs: 20_000 })
    expect(run.report!.gates[0]).toMatchObject({ status: 'passed', attempts: 3 })
  })

  it('reports every input and config problem at once, before any API call', async () => {
    world.config(`${BASE}    gates:
      - uses: required-checks
        with: { checks: [lint], wait: soon }
      - uses: nonsense
      - uses: freeze
        with: { windows: [{ time-zone: Europe/Atlantis, weekly: { from: 'fri 16:00', to: 'mon 08:00' } }] }
      - uses: performance
        name: bench
        with: { results: r.json, metrics: [{ path: p95, max: 1 }] }
      - uses: approval
        name: bench
  staging2:
    namespace: x
    targets: [{ name: web }]
    gates: [{ uses: upstream-deployed }]
`)
    const run = await world.run({ inputs: { mode: 'strict', timeout: 'forever', 'freeze-override': 'yes' } })
    expect(world.github.requests).toEqual([])
    const errors = run.logger.messages('error')
    expect(errors).toEqual(
      expect.arrayContaining([
        'input mode: got "strict"; expected one of: enforce, report',
        'input timeout: got "forever"; expected a duration such as 30s, 5m, 1h30m or 250ms',
        'input freeze-override: got "yes"; expected a reason for promoting inside a freeze window, such as "hotfix for incident 4711"; it is recorded in the report',
        expect.stringMatching(
          /promotion.yml: environments.production.gates\[0\].with.wait: got "soon"; expected a duration/
        ),
        expect.stringMatching(
          /environments.production.gates\[1\].uses: got "nonsense"; expected one of the gates: required-checks, upstream-deployed/
        ),
        expect.stringMatching(
          /environments.production.gates\[2\].with.windows\[0\].time-zone: got "Europe\/Atlantis"; expected an IANA time zone/
        )
      ])
    )
    expect(run.io.failed).toMatch(/^Configuration error: \d+ problem\(s\) found; nothing was changed/)
  })

  it('reports gate problems that need the rest of the environment before any API call', async () => {
    world.config(`
environments:
  production:
    namespace: shop
    targets: [{ name: web }]
    gates:
      - uses: upstream-deployed
      - uses: upstream-running
      - { uses: approval, name: twice }
      - { uses: freeze, name: twice, with: { windows: [{ daily: { from: '22:00', to: '06:00' } }] } }
`)
    const run = await world.run()
    expect(world.github.requests).toEqual([])
    expect(run.logger.messages('error')).toEqual([
      expect.stringMatching(
        /gates\[0\] \(uses: upstream-deployed\): missing; expected with.environment, or a from: on production/
      ),
      expect.stringMatching(/gates\[1\] \(uses: upstream-running\): missing; expected a from: on production/),
      expect.stringMatching(/gates\[3\].name: got "twice"; expected a name no other gate of production has/)
    ])
  })

  it('records a freeze override in the check run and the summary', async () => {
    world.config(
      `${BASE}    gates: [{ uses: freeze, with: { windows: [{ name: always, time-zone: UTC, weekly: { from: 'mon 00:00', to: 'sun 23:59' } }] } }]\n`
    )
    const frozen = await world.run({ clock: new FastForwardClock(), env: {} })
    const now = new Date()
    const inWindow = !(now.getUTCDay() === 0 && now.getUTCHours() === 23 && now.getUTCMinutes() === 59)
    if (inWindow) {
      expect(frozen.io.failed).toContain('freeze (failed)')
      expect(frozen.logger.messages('error').join('\n')).toContain(
        'freeze failed: inside freeze window "always"'
      )
    }
    const overridden = await world.run({ inputs: { 'freeze-override': 'hotfix for incident 4711' } })
    expect(overridden.io.failed).toBeUndefined()
    const checkRun = world.ownCheckRuns()[0]!
    expect(checkRun.output.summary).toContain(
      '> ⚠️ **Freeze override** by @octocat: "hotfix for incident 4711"'
    )
    expect(overridden.io.summary).toContain('**Freeze override** by @octocat')
    expect(JSON.parse(overridden.io.outputs['report']!).freezeOverride).toEqual({
      reason: 'hotfix for incident 4711',
      actor: 'octocat'
    })
  })

  it('keeps the check run within GitHub’s limits however many gates and how much evidence, linking to the run', async () => {
    const gates = Array.from(
      { length: 600 },
      (_, i) =>
        `      - { uses: freeze, name: 'freeze window check number ${i} with a long descriptive name', with: { windows: [{ time-zone: Pacific/Chatham, dates: { from: '2001-01-01', to: '2001-01-02' } }] } }`
    ).join('\n')
    world.config(`${BASE}    gates:\n${gates}\n`)
    const run = await world.run()
    expect(run.io.failed).toBeUndefined()
    const checkRun = world.ownCheckRuns()[0]!
    expect(checkRun.output.summary!.length).toBeLessThanOrEqual(65_535)
    expect(checkRun.output.text!.length).toBeLessThanOrEqual(65_535)
    expect(checkRun.output.summary).toMatch(
      /… \d+ more gate\(s\) not shown: the full report is in the \[run's job summary\]\(https:\/\/github.com\/acme\/shop\/actions\/runs\/5150\/attempts\/1\)/
    )
    expect(checkRun.output.text).toContain("… truncated to fit GitHub's limit")
    expect(run.report!.gates).toHaveLength(600)
  })

  it('keeps the verdict when the check run cannot be written, naming the permission', async () => {
    world.config(`${BASE}    gates: []\n`)
    world.github.denyPermission({ method: 'POST', pathPattern: /\/check-runs$/ })
    const run = await world.run()
    expect(run.io.failed).toBeUndefined()
    expect(run.io.outputs).toMatchObject({ passed: 'true', 'check-run-id': '' })
    expect(run.logger.text).toContain('permissions:\n    checks: write')
  })
})
