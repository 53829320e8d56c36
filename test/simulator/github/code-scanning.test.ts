import { describe, expect, it } from '@jest/globals'
import { useGitHubEmulator } from './emulator-fixture.js'

describe('GitHub emulator: code scanning alerts', () => {
  const fixture = useGitHubEmulator()

  function seedAlerts(): void {
    const { github } = fixture
    github.addCodeScanningAlert({
      state: 'open',
      rule: { id: 'js/sql-injection', severity: 'error', security_severity_level: 'critical' }
    })
    github.addCodeScanningAlert({
      state: 'open',
      rule: { id: 'js/xss', severity: 'error', security_severity_level: 'high' }
    })
    github.addCodeScanningAlert({ state: 'open', rule: { id: 'js/unused-variable', severity: 'note' } })
    github.addCodeScanningAlert({
      state: 'dismissed',
      rule: { id: 'js/path-injection', severity: 'error', security_severity_level: 'high' }
    })
    github.addCodeScanningAlert({
      ref: 'release',
      state: 'open',
      rule: { id: 'js/xss', severity: 'error', security_severity_level: 'high' }
    })
  }

  it('lists the default branch alerts filtered by state and by security severity', async () => {
    seedAlerts()
    const { github, octokit } = fixture
    const list = async (query: { state?: 'open' | 'dismissed' | 'fixed'; ref?: string; severity?: string }) =>
      (
        await octokit.request('GET /repos/{owner}/{repo}/code-scanning/alerts', {
          owner: github.owner,
          repo: github.repo,
          ...query
        })
      ).data.map((alert) => alert.rule.id)

    expect(await list({ state: 'open' })).toEqual(['js/unused-variable', 'js/xss', 'js/sql-injection'])
    expect(await list({ state: 'open', severity: 'high' })).toEqual(['js/xss'])
    expect(await list({ severity: 'high' })).toEqual(['js/path-injection', 'js/xss'])
    expect(await list({ state: 'open', severity: 'note' })).toEqual(['js/unused-variable'])
    expect(await list({ ref: 'refs/heads/release' })).toEqual(['js/xss'])
    expect(await list({ ref: 'release' })).toEqual(['js/xss'])
  })

  it('reports the rule security_severity_level the gate reads', async () => {
    seedAlerts()
    const { github, octokit } = fixture
    const alerts = await octokit.rest.codeScanning.listAlertsForRepo({
      owner: github.owner,
      repo: github.repo,
      state: 'open'
    })

    expect(alerts.data.map((alert) => alert.rule.security_severity_level)).toEqual([null, 'high', 'critical'])
    expect(alerts.data[0]).toMatchObject({
      number: 3,
      state: 'open',
      tool: { name: 'CodeQL' },
      most_recent_instance: { ref: 'refs/heads/main' }
    })
  })

  it('refuses an unknown severity with 422', async () => {
    const { github, octokit } = fixture
    await expect(
      octokit.request('GET /repos/{owner}/{repo}/code-scanning/alerts', {
        owner: github.owner,
        repo: github.repo,
        severity: 'urgent'
      })
    ).rejects.toMatchObject({ status: 422 })
  })
})
