import { OperationalError } from '../runtime/errors.js'
import { pick, type Repo } from './repository-ref.js'
import type { Octokit } from './octokit-factory.js'
import { explainGitHubError, Permission } from './permission-errors.js'

export type SecuritySeverity = 'low' | 'medium' | 'high' | 'critical'

export interface CodeScanningAlertSummary {
  number: number
  rule: string
  description: string
  /** rule.security_severity_level; undefined for alerts that are not security alerts (code quality). */
  severity: SecuritySeverity | undefined
  tool: string | undefined
  url: string
  location: string | undefined
}

/** Open code-scanning alerts for `ref` (every page); `ref` undefined means the default branch. */
export async function listOpenCodeScanningAlerts(
  octokit: Octokit,
  repo: Repo,
  options: { ref?: string | undefined; toolName?: string | undefined }
): Promise<CodeScanningAlertSummary[]> {
  const what = `list the open code scanning alerts${options.ref ? ` of ${options.ref}` : ''}`
  try {
    const alerts = await octokit.paginate(octokit.rest.codeScanning.listAlertsForRepo, {
      ...pick(repo),
      state: 'open',
      per_page: 100,
      ...(options.ref ? { ref: options.ref } : {}),
      ...(options.toolName ? { tool_name: options.toolName } : {})
    })
    return alerts.map((alert) => {
      const location = alert.most_recent_instance?.location
      return {
        number: alert.number,
        rule: alert.rule.id ?? alert.rule.name ?? 'unknown rule',
        description: alert.rule.description ?? alert.rule.name ?? '',
        severity: (alert.rule.security_severity_level ?? undefined) as SecuritySeverity | undefined,
        tool: alert.tool.name ?? undefined,
        url: alert.html_url,
        location: location?.path
          ? `${location.path}${location.start_line ? `:${location.start_line}` : ''}`
          : undefined
      }
    })
  } catch (error) {
    // These two are not about the token: code scanning is off, or nothing was ever uploaded.
    const message = (error as { message?: string }).message ?? ''
    const status = (error as { status?: number }).status
    if (status === 403 && /advanced security|code scanning is not enabled/i.test(message))
      throw new OperationalError(
        `GitHub refused to ${what}: ${message}. Enable code scanning for the repository, or use the gate's sarif setting.`,
        {
          cause: error
        }
      )
    if (status === 404 && /no analysis found/i.test(message))
      throw new OperationalError(
        `GitHub has no code scanning analysis${options.ref ? ` for ${options.ref}` : ''} (${message}): has the scan uploaded its results?`,
        {
          cause: error
        }
      )
    throw explainGitHubError(error, Permission.securityEventsRead, what)
  }
}
