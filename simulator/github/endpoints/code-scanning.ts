import type { EndpointTable } from '../endpoint.js'
import { resolveCommitish } from '../git-store.js'
import { unprocessable } from '../http-error.js'
import { paginate } from '../pagination.js'
import type { CodeScanningAlert } from '../state.js'
import type { GitHubWorld } from '../world.js'

/**
 * Code scanning alerts. Each alert lives on the ref of its most recent instance; listing without
 * `ref` reads the default branch, and `main` means `refs/heads/main`. `severity` matches either the
 * rule's security severity (critical, high, medium, low) or its plain severity (error, warning,
 * note), as the org-level operation documents it.
 */
type Rule = CodeScanningAlert['rule']

export interface CodeScanningAlertSeed {
  /** Default: the default branch. */
  ref?: string
  state: 'open' | 'dismissed' | 'fixed'
  rule: {
    id: string
    severity?: Rule['severity']
    security_severity_level?: Rule['security_severity_level']
    description?: string
    name?: string
    tags?: string[]
  }
  tool?: { name?: string; version?: string | null; guid?: string | null }
  path?: string
  start_line?: number
  commit_sha?: string
  message?: string
  dismissed_reason?: CodeScanningAlert['dismissed_reason']
}

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'warning', 'note', 'error']

export function addCodeScanningAlert(world: GitHubWorld, seed: CodeScanningAlertSeed): CodeScanningAlert {
  const number = world.nextId('code-scanning-alert')
  const now = world.now()
  const ref = qualifyRef(seed.ref ?? world.defaultBranch)
  const url = `${world.repoUrl}/code-scanning/alerts/${number}`
  const closedBy = seed.state === 'dismissed' ? world.ownerAccount : null
  const alert: CodeScanningAlert = {
    number,
    created_at: now,
    updated_at: now,
    url,
    html_url: `${world.htmlUrl}/security/code-scanning/${number}`,
    instances_url: `${url}/instances`,
    state: seed.state,
    fixed_at: seed.state === 'fixed' ? now : null,
    dismissed_by: closedBy,
    dismissed_at: seed.state === 'dismissed' ? now : null,
    dismissed_reason: seed.state === 'dismissed' ? (seed.dismissed_reason ?? "won't fix") : null,
    dismissed_comment: null,
    rule: {
      id: seed.rule.id,
      severity: seed.rule.severity ?? 'warning',
      security_severity_level: seed.rule.security_severity_level ?? null,
      description: seed.rule.description ?? seed.rule.id,
      name: seed.rule.name ?? seed.rule.id,
      tags: seed.rule.tags ?? ['security']
    },
    tool: {
      name: seed.tool?.name ?? 'CodeQL',
      version: seed.tool?.version ?? '2.20.0',
      guid: seed.tool?.guid ?? null
    },
    most_recent_instance: {
      ref,
      analysis_key: '.github/workflows/codeql.yml:analyze',
      environment: '{"language":"javascript-typescript"}',
      category: '/language:javascript-typescript',
      state: seed.state,
      commit_sha: seed.commit_sha ?? resolveCommitish(world, ref) ?? '0'.repeat(40),
      message: { text: seed.message ?? seed.rule.description ?? seed.rule.id },
      location: {
        path: seed.path ?? 'src/index.ts',
        start_line: seed.start_line ?? 1,
        end_line: seed.start_line ?? 1,
        start_column: 1,
        end_column: 10
      },
      classifications: []
    }
  }
  world.state.codeScanningAlerts.push(alert)
  return alert
}

function qualifyRef(ref: string): string {
  return ref.startsWith('refs/') ? ref : `refs/heads/${ref}`
}

export const codeScanningEndpoints = {
  'code-scanning/list-alerts-for-repo': (request) => {
    const { world, query } = request
    const severity = query.severity === undefined ? undefined : String(query.severity)
    if (severity !== undefined && !SEVERITIES.includes(severity)) {
      throw unprocessable(
        `Invalid request.\n\n${JSON.stringify(severity)} is not a member of ${JSON.stringify(SEVERITIES)}.`
      )
    }
    const ref = qualifyRef(String(query.ref ?? world.defaultBranch))
    const sortKey =
      query.sort === 'updated' ? 'updated_at' : query.sort === 'number' ? 'number' : 'created_at'
    const direction = query.direction === 'asc' ? 1 : -1
    const alerts = world.state.codeScanningAlerts
      .filter((alert) => alert.most_recent_instance.ref === ref)
      .filter((alert) => query.state === undefined || alert.state === query.state)
      .filter((alert) => query.tool_name === undefined || alert.tool.name === query.tool_name)
      .filter(
        (alert) =>
          severity === undefined ||
          alert.rule.security_severity_level === severity ||
          alert.rule.severity === severity
      )
      .sort((left, right) => {
        const a = left[sortKey] ?? ''
        const b = right[sortKey] ?? ''
        return (a < b ? -1 : a > b ? 1 : left.number - right.number) * direction
      })
    const page = paginate(alerts, request)
    return { status: 200, body: page.items, headers: page.headers }
  }
} satisfies Partial<EndpointTable>
