import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { performance } from '../../src/gates/performance.js'
import { startGateHarness, type GateHarness } from './support/gate-harness.js'

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'gates')

describe('performance gate', () => {
  let h: GateHarness
  beforeAll(async () => {
    h = await startGateHarness()
    copyFileSync(join(FIXTURES, 'benchmark-results.json'), join(h.workspace, 'results.json'))
    copyFileSync(join(FIXTURES, 'benchmark-baseline.json'), join(h.workspace, 'baseline.json'))
  })
  afterAll(async () => {
    await h.close()
  })

  it('passes when every metric is within its absolute limits, listing value and limit', async () => {
    const result = await h.run(performance, {
      results: 'results.json',
      metrics: [
        { name: 'p95 latency', path: 'latency.p95', max: 250, unit: 'ms' },
        { path: 'throughput.rps', min: 1000, unit: 'rps' },
        { path: 'scenarios[0].errors', max: 0 },
        { path: 'metrics["memory.rss_mib"]', max: 256, unit: 'MiB' }
      ]
    })
    expect(result).toMatchObject({ status: 'passed', summary: 'all 4 metric(s) within thresholds' })
    expect(result.evidence[0]).toEqual({ label: 'p95 latency', value: '✓ 212 ms; limit ≤ 250 ms' })
    expect(result.evidence[1]).toEqual({ label: 'throughput.rps', value: '✓ 1450 rps; limit ≥ 1000 rps' })
  })

  it('fails on an absolute limit, inclusive at the boundary', async () => {
    const result = await h.run(performance, {
      results: 'results.json',
      metrics: [
        { path: 'latency.p95', max: 212 },
        { path: 'latency.p99', max: 400, unit: 'ms' }
      ]
    })
    expect(result.status).toBe('failed')
    expect(result.summary).toBe(
      '1 of 2 metric(s) out of bounds: latency.p99 = 480 ms: above the maximum 400 ms'
    )
  })

  it('compares against the baseline in percent, both ways', async () => {
    const result = await h.run(performance, {
      results: 'results.json',
      baseline: 'baseline.json',
      metrics: [
        { name: 'p95', path: 'latency.p95', 'max-increase': 10, unit: 'ms' },
        { name: 'p50', path: 'latency.p50', 'max-increase': 5, unit: 'ms' },
        { name: 'rps', path: 'throughput.rps', 'max-decrease': 5 }
      ]
    })
    expect(result.status).toBe('failed')
    expect(result.summary).toContain('p95 = 212 ms: +17.8% over the baseline, more than +10%')
    expect(result.evidence[1]).toEqual({
      label: 'p50',
      value: '✓ 41.2 ms; baseline 40 ms (+3.0%); limit ≤ +5% of baseline'
    })
    expect(result.evidence[2]!.value).toBe('✓ 1450; baseline 1500 (-3.3%); limit ≥ -5% of baseline')
  })

  it('errors when a metric is absent or not a number, naming the path', async () => {
    const result = await h.run(performance, {
      results: 'results.json',
      metrics: [
        { path: 'latency.p999', max: 1 },
        { path: 'scenarios[0].name', max: 1 }
      ]
    })
    expect(result.status).toBe('errored')
    expect(result.summary).toContain('latency.p999 is absent (latency.p999 not found) in results.json')
    expect(result.summary).toContain('scenarios[0].name is "checkout", not a number')
  })

  it('errors when the results file is missing or not JSON', async () => {
    expect(
      (await h.run(performance, { results: 'nope.json', metrics: [{ path: 'a', max: 1 }] })).summary
    ).toBe('cannot read nope.json (ENOENT): did the benchmark step run and write it?')
    h.write('broken.json', '{"latency": ')
    expect(
      (await h.run(performance, { results: 'broken.json', metrics: [{ path: 'a', max: 1 }] })).summary
    ).toMatch(/^broken.json is not valid JSON/)
  })

  it('rejects thresholds that cannot work, before anything runs', () => {
    const problems = (settings: unknown) =>
      performance.settings.safeParse(settings).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
    expect(problems({ results: 'r.json', metrics: [{ path: 'a' }] })).toEqual([
      'metrics.0: at least one of max, min, max-increase or max-decrease'
    ])
    expect(problems({ results: 'r.json', metrics: [{ path: 'a', 'max-increase': 5 }] })).toEqual([
      'baseline: a baseline file when a metric sets max-increase or max-decrease'
    ])
    expect(problems({ results: 'r.json', metrics: [{ path: 'a..b', max: 1 }] })).toEqual([
      'metrics.0.path: a path such as latency.p95, scenarios[0].rps or metrics["checkout.p99"]'
    ])
  })

  it('documents the results format in its description', () => {
    expect(performance.description).toContain('Example results file')
    expect(performance.description).toContain('max-increase')
  })
})
