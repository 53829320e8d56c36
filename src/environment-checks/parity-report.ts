import { table } from '../runtime/markdown.js'
import type { ParityRow } from './parity.js'

/**
 * The parity rows as the drift report shows them: a markdown table for a job summary or
 * issue, and a JSON document for the scheduled report's artifact. Rows carry no env var
 * values, so neither form can leak one.
 */

export interface DriftReportMeta {
  upstream: string
  target: string
  /** ISO time the caller read the environments (from its Clock). */
  generatedAt: string
}

/** Version 1 of the drift report JSON. Add fields; never change or remove one. */
export interface DriftReport extends DriftReportMeta {
  schemaVersion: 1
  summary: {
    /** Workloads (and `namespace`, overlay paths) with at least one difference. */
    subjects: number
    differences: number
    /** Differences the allow-list does not cover: the gate fails on these. */
    disallowed: number
  }
  rows: ParityRow[]
}

export function driftReport(rows: ParityRow[], meta: DriftReportMeta): DriftReport {
  return {
    schemaVersion: 1,
    ...meta,
    summary: {
      subjects: new Set(rows.map((r) => r.workload)).size,
      differences: rows.length,
      disallowed: rows.filter((r) => !r.allowed).length
    },
    rows
  }
}

/**
 * A markdown table of the rows, disallowed ones first; `_no differences_` when there are none.
 * Cells are escaped (a `|` in a key cannot break the table).
 */
export function parityMarkdown(
  rows: ParityRow[],
  meta: Pick<DriftReportMeta, 'upstream' | 'target'>
): string {
  if (rows.length === 0) return `No differences between ${meta.upstream} and ${meta.target}.`
  const ordered = [...rows.filter((r) => !r.allowed), ...rows.filter((r) => r.allowed)]
  return table(
    ['Workload', 'Dimension', 'Where', meta.upstream, meta.target, 'Allowed'],
    ordered.map((r) => [
      r.workload,
      r.dimension,
      [r.scope, r.key].filter((part) => part !== undefined).join(' / '),
      r.upstream,
      r.target,
      r.allowed ? 'yes' : '**no**'
    ])
  )
}
