import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { JsonPathError, parseJsonPath, readJsonPath } from '../health/json-path.js'
import { defineGate } from './gate-context.js'
import type { Evidence } from './gate-definition.js'

const jsonPath = z
  .string()
  .min(1)
  .refine(
    (path) => {
      try {
        parseJsonPath(path)
        return true
      } catch (error) {
        if (error instanceof JsonPathError) return false
        throw error
      }
    },
    { error: 'a path such as latency.p95, scenarios[0].rps or metrics["checkout.p99"]' }
  )

export const metricThreshold = z
  .strictObject({
    name: z.string().min(1).optional().describe('How the metric is shown in the report. Default: its path.'),
    path: jsonPath.describe(
      'Where the number is in the results file: dot/bracket path such as latency.p95 or scenarios[0].rps.'
    ),
    'baseline-path': jsonPath
      .optional()
      .describe('Where it is in the baseline file, when that differs from path.'),
    unit: z.string().min(1).optional().describe('Shown after the figures (ms, rps, MiB).'),
    max: z.number().optional().describe('Absolute upper limit (inclusive).'),
    min: z.number().optional().describe('Absolute lower limit (inclusive).'),
    'max-increase': z
      .number()
      .min(0)
      .optional()
      .describe('At most this many percent above the baseline value (for figures where lower is better).'),
    'max-decrease': z
      .number()
      .min(0)
      .optional()
      .describe('At most this many percent below the baseline value (for figures where higher is better).')
  })
  .refine(
    (m) =>
      m.max !== undefined ||
      m.min !== undefined ||
      m['max-increase'] !== undefined ||
      m['max-decrease'] !== undefined,
    {
      error: 'at least one of max, min, max-increase or max-decrease'
    }
  )
export type MetricThreshold = z.infer<typeof metricThreshold>

export const performanceSettings = z
  .strictObject({
    results: z
      .string()
      .min(1)
      .describe('The benchmark results file the job wrote (JSON), relative to the workspace.'),
    baseline: z
      .string()
      .min(1)
      .optional()
      .describe(
        "A results file of the same shape to compare against (e.g. the last release's), for max-increase and max-decrease."
      ),
    metrics: z.array(metricThreshold).min(1).describe('The figures to check, each with its path and limits.')
  })
  .refine(
    (s) =>
      s.baseline !== undefined ||
      s.metrics.every((m) => m['max-increase'] === undefined && m['max-decrease'] === undefined),
    {
      error: 'a baseline file when a metric sets max-increase or max-decrease',
      path: ['baseline']
    }
  )

/**
 * Benchmarks within thresholds. The results file is any JSON document; each metric names
 * where its number is, so the output of k6, wrk, hyperfine or a home-made script works as
 * long as the figures are numbers in it.
 */
export const performance = defineGate({
  name: 'performance',
  description: [
    'Benchmark results within thresholds, absolute and/or relative to a baseline.',
    'Format: `results` (and `baseline`) are JSON files the job wrote, of any shape; each entry of `metrics` gives the `path` of one number in it',
    '(dots and brackets: `latency.p95`, `scenarios[0].rps`, `metrics["checkout.p99"]`), and limits:',
    '`max`/`min` (absolute, inclusive) and `max-increase`/`max-decrease` (percent relative to the same path in `baseline`, or `baseline-path`).',
    'Example results file: {"latency": {"p50": 41.2, "p95": 212}, "throughput": {"rps": 1450}}.',
    'A metric absent from a file, or not a number, errors the gate. The report lists each metric, its value, the baseline and the limit.'
  ].join(' '),
  settings: performanceSettings,
  async run(settings, context) {
    const results = await readJson(context.resolvePath(settings.results), settings.results)
    const baseline = settings.baseline
      ? await readJson(context.resolvePath(settings.baseline), settings.baseline)
      : undefined
    if (typeof results === 'string') return { status: 'errored', summary: results, evidence: [] }
    if (typeof baseline === 'string') return { status: 'errored', summary: baseline, evidence: [] }

    const evidence: Evidence[] = []
    const failed: string[] = []
    const missing: string[] = []
    for (const metric of settings.metrics) {
      const name = metric.name ?? metric.path
      const unit = metric.unit ? ` ${metric.unit}` : ''
      const value = numberAt(results.json, metric.path)
      if (typeof value === 'string') {
        missing.push(`${name}: ${value} in ${settings.results}`)
        evidence.push({ label: name, value: `✗ ${value}` })
        continue
      }
      const limits: string[] = []
      const breaches: string[] = []
      if (metric.max !== undefined) {
        limits.push(`≤ ${metric.max}${unit}`)
        if (value > metric.max) breaches.push(`above the maximum ${metric.max}${unit}`)
      }
      if (metric.min !== undefined) {
        limits.push(`≥ ${metric.min}${unit}`)
        if (value < metric.min) breaches.push(`below the minimum ${metric.min}${unit}`)
      }
      let baselineText = ''
      if (baseline && (metric['max-increase'] !== undefined || metric['max-decrease'] !== undefined)) {
        const base = numberAt(baseline.json, metric['baseline-path'] ?? metric.path)
        if (typeof base === 'string') {
          missing.push(`${name}: ${base} in ${settings.baseline}`)
          evidence.push({ label: name, value: `✗ ${value}${unit}; baseline ${base}` })
          continue
        }
        const change =
          base === 0
            ? value === 0
              ? 0
              : Infinity * Math.sign(value)
            : ((value - base) / Math.abs(base)) * 100
        baselineText = `; baseline ${base}${unit} (${formatPercent(change)})`
        if (metric['max-increase'] !== undefined) {
          limits.push(`≤ +${metric['max-increase']}% of baseline`)
          if (change > metric['max-increase'])
            breaches.push(`${formatPercent(change)} over the baseline, more than +${metric['max-increase']}%`)
        }
        if (metric['max-decrease'] !== undefined) {
          limits.push(`≥ -${metric['max-decrease']}% of baseline`)
          if (change < -metric['max-decrease'])
            breaches.push(
              `${formatPercent(change)} under the baseline, more than -${metric['max-decrease']}%`
            )
        }
      }
      if (breaches.length) failed.push(`${name} = ${value}${unit}: ${breaches.join(', ')}`)
      evidence.push({
        label: name,
        value: `${breaches.length ? '✗' : '✓'} ${value}${unit}${baselineText}; limit ${limits.join(', ')}`
      })
    }
    if (missing.length)
      return { status: 'errored', summary: `benchmark figures missing: ${missing.join('; ')}`, evidence }
    if (failed.length)
      return {
        status: 'failed',
        summary: `${failed.length} of ${settings.metrics.length} metric(s) out of bounds: ${failed.join('; ')}`,
        evidence
      }
    return {
      status: 'passed',
      summary: `all ${settings.metrics.length} metric(s) within thresholds`,
      evidence
    }
  }
})

async function readJson(path: string, shown: string): Promise<{ json: unknown } | string> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    return `cannot read ${shown} (${(error as NodeJS.ErrnoException).code ?? String(error)}): did the benchmark step run and write it?`
  }
  try {
    return { json: JSON.parse(text) }
  } catch (error) {
    return `${shown} is not valid JSON (${(error as Error).message})`
  }
}

function numberAt(json: unknown, path: string): number | string {
  const lookup = readJsonPath(json, parseJsonPath(path))
  if (!lookup.found) return `${path} is absent (${lookup.missing} not found)`
  if (typeof lookup.value !== 'number' || !Number.isFinite(lookup.value))
    return `${path} is ${JSON.stringify(lookup.value)}, not a number`
  return lookup.value
}

function formatPercent(change: number): string {
  if (!Number.isFinite(change)) return change > 0 ? '+∞%' : '-∞%'
  return `${change >= 0 ? '+' : ''}${change.toFixed(1)}%`
}
