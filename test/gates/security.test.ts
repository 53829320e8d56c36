import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { security } from '../../src/gates/security.js'
import { readSarif, severityOfScore } from '../../src/gates/sarif.js'
import { startGateHarness, type GateHarness } from './support/gate-harness.js'

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'gates')

describe('security gate: code scanning alerts', () => {
  let h: GateHarness
  beforeEach(async () => {
    h = await startGateHarness()
  })
  afterEach(async () => {
    h.github.assertNoViolations()
    await h.close()
  })

  const alert = (
    id: string,
    level: 'critical' | 'high' | 'medium' | 'low' | null,
    extra: { ref?: string; state?: 'open' | 'dismissed' | 'fixed' } = {}
  ) =>
    h.github.addCodeScanningAlert({
      ref: extra.ref ?? 'refs/heads/main',
      state: extra.state ?? 'open',
      rule: { id, severity: 'error', security_severity_level: level, description: `${id} description` },
      path: 'src/api.ts',
      start_line: 12
    })

  it('passes with no open alerts at or above the default severity (critical)', async () => {
    alert('js/weak-crypto', 'high')
    alert('js/sql-injection', 'critical', { state: 'dismissed' })
    const result = await h.run(security, {})
    expect(result).toMatchObject({
      status: 'passed',
      summary: 'no open findings of severity critical or higher for refs/heads/main'
    })
    expect(result.evidence[0]).toEqual({ label: 'open alerts', value: 1 })
  })

  it('fails listing each offending alert with its link, most severe first', async () => {
    alert('js/weak-crypto', 'high')
    const critical = alert('js/sql-injection', 'critical')
    alert('js/missing-rate-limit', 'medium')
    const result = await h.run(security, { severity: 'high' })
    expect(result.status).toBe('failed')
    expect(result.summary).toContain('2 open finding(s) of severity high or higher for refs/heads/main')
    expect(result.evidence[0]).toMatchObject({
      label: `#${critical.number} critical js/sql-injection at src/api.ts:12`,
      url: critical.html_url
    })
    expect(result.evidence[1]!.label).toContain('high js/weak-crypto')
  })

  it.each([
    ['low', 3],
    ['medium', 2],
    ['high', 1],
    ['critical', 0]
  ] as const)('severity %s counts %i of low, medium and high alerts', async (severity, count) => {
    alert('a', 'low')
    alert('b', 'medium')
    alert('c', 'high')
    alert('quality', null)
    const result = await h.run(security, { severity })
    expect(result.status).toBe(count === 0 ? 'passed' : 'failed')
    if (count) expect(result.summary).toContain(`${count} open finding(s)`)
  })

  it('reads the alerts of the configured ref only', async () => {
    alert('js/sql-injection', 'critical', { ref: 'refs/pull/7/merge' })
    expect((await h.run(security, {})).status).toBe('passed')
    expect((await h.run(security, { ref: 'refs/pull/7/merge' })).status).toBe('failed')
  })

  it('names the permissions: line when the token may not read security events', async () => {
    h.github.denyPermission({ pathPattern: /code-scanning/ })
    await expect(h.run(security, {})).rejects.toThrow(/permissions:\n\s+security-events: read/)
  })

  it('says code scanning is off rather than blaming the token', async () => {
    h.github.denyPermission({
      pathPattern: /code-scanning/,
      message: 'Advanced Security must be enabled for this repository to use code scanning.'
    })
    await expect(h.run(security, {})).rejects.toThrow(
      /Enable code scanning for the repository, or use the gate's sarif setting/
    )
  })
})

describe('security gate: a SARIF file from the job', () => {
  let h: GateHarness
  beforeEach(async () => {
    h = await startGateHarness()
    copyFileSync(join(FIXTURES, 'trivy-critical.sarif.json'), join(h.workspace, 'trivy.sarif'))
    copyFileSync(join(FIXTURES, 'codeql-clean.sarif.json'), join(h.workspace, 'codeql.sarif'))
  })
  afterEach(async () => {
    await h.close()
  })

  it('fails on a critical finding, ignoring suppressed and unrated results, without calling GitHub', async () => {
    h.takeRequests()
    const result = await h.run(security, { sarif: 'trivy.sarif' })
    expect(result.status).toBe('failed')
    expect(result.summary).toBe(
      '1 open finding(s) of severity critical or higher in trivy.sarif: critical CVE-2024-0001 at Dockerfile:1'
    )
    expect(result.evidence).toContainEqual({ label: 'results without security severity (ignored)', value: 1 })
    expect(result.evidence).toContainEqual({ label: 'suppressed results (ignored)', value: 1 })
    expect(h.takeRequests()).toEqual([])
  })

  it('applies the threshold to the security-severity score bands', async () => {
    expect((await h.run(security, { sarif: 'trivy.sarif', severity: 'medium' })).summary).toContain(
      '3 open finding(s)'
    )
    expect((await h.run(security, { sarif: 'codeql.sarif', severity: 'high' })).status).toBe('passed')
    // The rule is found in a tool extension, as CodeQL writes them.
    expect((await h.run(security, { sarif: 'codeql.sarif', severity: 'medium' })).status).toBe('failed')
  })

  it('errors when the file is missing or not SARIF', async () => {
    expect(await h.run(security, { sarif: 'missing.sarif' })).toMatchObject({
      status: 'errored',
      summary: 'cannot read the SARIF file missing.sarif (ENOENT): did the scan step run and write it?'
    })
    h.write('bad.sarif', '{"version": "2.1.0"}')
    expect((await h.run(security, { sarif: 'bad.sarif' })).summary).toBe(
      'bad.sarif is not a SARIF log: it has no runs[]'
    )
  })

  it('rates scores as GitHub does', () => {
    expect([9.0, 8.9, 7.0, 6.9, 4.0, 3.9, 0.1, 0].map(severityOfScore)).toEqual([
      'critical',
      'high',
      'high',
      'medium',
      'medium',
      'low',
      'low',
      undefined
    ])
    expect(readSarif('{"runs": []}').findings).toEqual([])
  })
})
