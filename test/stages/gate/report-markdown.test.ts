import { describe, expect, it } from '@jest/globals'
import type { GateRecord } from '../../../src/stages/gate/evaluate-gates.js'
import { decide, type GateOutcome } from '../../../src/stages/gate/gate-outcome.js'
import { renderDetails, renderSummary } from '../../../src/stages/gate/report-markdown.js'

function outcome(gates: GateRecord[]): GateOutcome {
  return {
    environment: 'production',
    upstream: 'staging',
    sha: '4b825dc642cb6eb9a060e54bf8d69288fbee4904',
    mode: 'enforce',
    ...decide(gates),
    gates,
    freezeOverride: undefined,
    durationMs: 1234,
    checkRun: undefined,
    runUrl: 'https://github.com/acme/shop/actions/runs/1/attempts/1'
  }
}

function record(name: string, overrides: Partial<GateRecord> = {}): GateRecord {
  return {
    name,
    uses: name,
    status: 'passed',
    summary: 'ok',
    evidence: [],
    warnings: [],
    durationMs: 12,
    attempts: 1,
    ...overrides
  }
}

describe('gate report markdown', () => {
  it('renders a table row per gate with status, evidence links and duration', () => {
    const text = renderSummary(
      outcome([
        record('required-checks', {
          status: 'failed',
          summary: 'lint failed',
          evidence: [{ label: 'lint', value: 'failure', url: 'https://github.com/acme/shop/runs/9' }]
        }),
        record('freeze', { durationMs: 2500, attempts: 3 })
      ]),
      { maxLength: 65_535 }
    )
    expect(text).toContain('## ❌ 1 of 2 promotion gates did not pass for production')
    expect(text).toContain('`4b825dc` → **production** from staging · mode: **enforce** · 2 gate(s) in 1.2 s')
    expect(text).toContain(
      '| required-checks | ❌ failed | lint failed<br>[lint](https://github.com/acme/shop/runs/9): failure | 12 ms |'
    )
    expect(text).toContain('| freeze | ✅ passed | ok | 2.5 s (3 checks) |')
  })

  it('escapes what would break a table cell or inject markup', () => {
    const text = renderSummary(
      outcome([record('a|b', { summary: 'line one\nline <two> | three', warnings: ['careful'] })]),
      { maxLength: 65_535 }
    )
    expect(text).toContain('| a\\|b | ✅ passed | line one<br>line &lt;two&gt; \\| three<br>⚠️ careful |')
  })

  it('shortens evidence before dropping rows, and says where the rest is', () => {
    const evidence = Array.from({ length: 500 }, (_, i) => ({ label: `metric ${i}`, value: 'x'.repeat(100) }))
    const text = renderSummary(outcome([record('performance', { evidence })]), { maxLength: 5000 })
    expect(text.length).toBeLessThanOrEqual(5000)
    expect(text).toContain('| performance | ✅ passed |')
    const many = renderSummary(outcome(Array.from({ length: 200 }, (_, i) => record(`gate ${i}`))), {
      maxLength: 3000
    })
    expect(many.length).toBeLessThanOrEqual(3000)
    expect(many).toMatch(
      /… \d+ more gate\(s\) not shown: the full report is in the \[run's job summary\]\(https:\/\/github.com\/acme\/shop\/actions\/runs\/1\/attempts\/1\)/
    )
  })

  it('never exceeds the limit, even for one enormous gate name', () => {
    const text = renderSummary(outcome([record('x'.repeat(100_000))]), { maxLength: 65_535 })
    expect(text.length).toBeLessThanOrEqual(65_535)
  })

  it('lists all evidence in the details and truncates them with a pointer', () => {
    const evidence = Array.from({ length: 5000 }, (_, i) => ({ label: `check ${i}`, value: 'success' }))
    const details = renderDetails(outcome([record('required-checks', { evidence })]), { maxLength: 65_535 })
    expect(details.length).toBeLessThanOrEqual(65_535)
    expect(details).toContain('- check 0: success')
    expect(details).toMatch(
      /… truncated to fit GitHub's limit; the full report is in the \[run's job summary\]/
    )
  })

  it('decides success, failure and neutral', () => {
    expect(decide([record('a'), record('b', { status: 'skipped' })])).toEqual({
      passed: true,
      failedGates: [],
      conclusion: 'success'
    })
    expect(decide([record('a', { status: 'pending' }), record('b', { status: 'errored' })]).conclusion).toBe(
      'failure'
    )
    expect(decide([record('a', { status: 'skipped' })]).conclusion).toBe('neutral')
    expect(decide([])).toEqual({ passed: true, failedGates: [], conclusion: 'neutral' })
  })
})
