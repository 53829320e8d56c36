import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { secrets, secretsCheck } from '../../src/gates/secrets.js'
import { environment, fixedClock, SHA, startGateHarness, type GateHarness } from './support/gate-harness.js'
import { REPOSITORY, startGateCluster, type GateCluster } from './support/cluster.js'

// Shaped like real credentials so the rules fire; none of them is one.
const GITHUB_TOKEN = `ghp_${'Zq9'.repeat(12)}`
const PASSWORD = 'vT7#qL2!xR9@mW4$'
const SECRET_DATA = Buffer.from('hunter2-but-longer-9f8e7d').toString('base64')
const VALUES = [GITHUB_TOKEN, PASSWORD, SECRET_DATA, 'hunter2-but-longer-9f8e7d']

const NOW = '2025-06-02T12:00:00Z'

describe('secrets gate: plaintext secrets in the environment files', () => {
  let h: GateHarness
  beforeEach(async () => {
    h = await startGateHarness()
    mkdirSync(join(h.workspace, 'k8s', 'production'), { recursive: true })
    mkdirSync(join(h.workspace, 'config'), { recursive: true })
  })
  afterEach(async () => {
    await h.close()
  })

  it('passes on clean manifests and config files', async () => {
    h.write(
      'k8s/production/deployment.yaml',
      'env:\n  - name: DATABASE_URL\n    valueFrom:\n      secretKeyRef: { name: db, key: url }\n'
    )
    h.write('config/production.yaml', 'app:\n  password: ${{ secrets.DB_PASSWORD }}\n  log_level: warn\n')
    const result = await h.run(secrets, {
      paths: ['k8s/production/**', 'config/production.yaml'],
      'external-secrets': { enabled: false },
      'rotation-guard': { enabled: false }
    })
    expect(result).toMatchObject({
      status: 'passed',
      summary: 'no plaintext secrets and no rotation under way for production (2 file(s) scanned)'
    })
  })

  it('reports a committed Secret, a token and a password by file and line, never their values', async () => {
    h.write(
      'k8s/production/secret.yaml',
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: ${SECRET_DATA}\n`
    )
    h.write('config/production.yaml', `app:\n  github_token: ${GITHUB_TOKEN}\n  db_password: "${PASSWORD}"\n`)
    const report = await secretsCheck.check(secrets.settings.parse({ paths: ['k8s/production', 'config'] }), {
      ...h.context(),
      purpose: 'gate'
    })
    expect(report.result.status).toBe('failed')
    expect(report.result.evidence.map((e) => e.label)).toEqual([
      'config/production.yaml:2',
      'config/production.yaml:3',
      'k8s/production/secret.yaml:6'
    ])
    expect(report.result.evidence.map((e) => e.value)).toEqual([
      expect.stringContaining('github-token'),
      expect.stringContaining('secret-assignment (key db_password)'),
      expect.stringContaining('kubernetes-secret (key password)')
    ])
    expect(report.result.summary).toBe(
      "3 plaintext secret(s) in production's files (config/production.yaml:2, config/production.yaml:3, k8s/production/secret.yaml:6)"
    )
    const everything = JSON.stringify(report) + JSON.stringify(h.logger.entries)
    for (const value of VALUES) expect(everything).not.toContain(value)
  })

  it('lets the allow-list drop a false positive by fingerprint, path or rule', async () => {
    h.write('config/production.yaml', `app:\n  db_password: "${PASSWORD}"\n`)
    const scan = (allow: unknown[]) =>
      h.run(secrets, { paths: ['config'], allow, 'external-secrets': { enabled: false } })
    expect((await scan([])).status).toBe('failed')
    expect((await scan([{ fingerprint: 'config/production.yaml:secret-assignment:2' }])).status).toBe(
      'passed'
    )
    expect((await scan([{ path: 'config/**', rule: 'secret-assignment' }])).status).toBe('passed')
    expect((await scan([{ rule: 'jwt' }])).status).toBe('failed')
  })

  it('warns about a path that names no file', async () => {
    const result = await h.run(secrets, { paths: ['k8s/staging/**'], 'external-secrets': { enabled: false } })
    expect(result.status).toBe('passed')
    expect(result.warnings).toEqual(['secrets: paths entry k8s/staging/** names no file in the workspace'])
  })

  it('needs files to scan or targets to read', () => {
    const setup = {
      environmentName: 'production',
      environment: environment({
        mode: 'gitops',
        targets: [],
        gitops: { path: 'k.yaml', 'image-name': 'x' }
      }),
      upstream: undefined,
      hasImage: true,
      kubernetesConfigured: true
    }
    expect(secrets.validate!(secrets.settings.parse({}), setup)).toEqual([
      'with.paths (files to scan), or targets on production (ExternalSecrets, rotation lock)'
    ])
  })
})

describe('secrets gate: ExternalSecrets and the rotation guard (Kubernetes simulator)', () => {
  let h: GateHarness
  let cluster: GateCluster
  beforeEach(async () => {
    h = await startGateHarness()
    cluster = await startGateCluster(h.logger, ['shop-staging', 'shop'], { crds: true })
    cluster.sim.create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [
              {
                name: 'app',
                image: `${REPOSITORY}:${SHA}`,
                envFrom: [{ secretRef: { name: 'my-app-secrets' } }]
              }
            ]
          }
        }
      }
    })
  })
  afterEach(async () => {
    await cluster.close()
    await h.close()
  })

  const clock = fixedClock(NOW)
  const run = (settings: unknown = {}) =>
    h.run(secrets, settings, { kubernetes: cluster.kubernetes, kubernetesConfigured: true, clock })

  async function externalSecret(name: string, status: object, spec: object = {}) {
    cluster.sim.create({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name, namespace: 'shop' },
      spec: {
        refreshInterval: '1h',
        secretStoreRef: { name: 'aws-secrets-manager', kind: 'ClusterSecretStore' },
        target: { name: 'my-app-secrets' },
        data: [{ secretKey: 'DATABASE_URL', remoteRef: { key: 'production/my-app/database-url' } }],
        ...spec
      }
    })
    const [connected] = await (await cluster.kubernetes()).clusters(environment({}))
    await connected!.api.patchResource('ExternalSecret', 'shop', name, { status }, { subresource: 'status' })
  }
  const ready = (refreshTime: string) => ({
    conditions: [{ type: 'Ready', status: 'True', reason: 'SecretSynced', message: 'secret synced' }],
    refreshTime,
    syncedResourceVersion: '1-0123abcd'
  })

  it('passes when the ExternalSecret behind the workload is Ready and fresh', async () => {
    await externalSecret('my-app-secrets', ready('2025-06-02T11:30:00Z'))
    const result = await run()
    expect(result.status).toBe('passed')
    expect(result.evidence).toContainEqual({
      label: 'externalsecret shop/my-app-secrets',
      value: '✓ Ready, synced 2025-06-02T11:30:00.000Z'
    })
  })

  it('fails when it is not Ready, or stale beyond its refresh interval', async () => {
    await externalSecret('my-app-secrets', {
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'SecretSyncedError',
          message: 'could not get secret data from provider'
        }
      ],
      refreshTime: '2025-06-02T09:00:00Z',
      syncedResourceVersion: '1-0123abcd'
    })
    const result = await run()
    expect(result.status).toBe('failed')
    expect(result.summary).toBe(
      'externalsecret/my-app-secrets in shop is not ready: Ready=False (SecretSyncedError): could not get secret data from provider; externalsecret/my-app-secrets in shop last synced 3h ago, longer than its refresh interval 1h'
    )
  })

  it('fails when an ExternalSecret it names does not exist', async () => {
    const result = await run({ 'external-secrets': { names: ['payments'] } })
    expect(result.status).toBe('failed')
    expect(result.summary).toBe('externalsecret/payments does not exist in default/shop')
  })

  it('is pending within the cool-down after a refresh', async () => {
    await externalSecret('my-app-secrets', ready('2025-06-02T11:58:00Z'))
    expect((await run()).status).toBe('passed')
    const result = await run({ 'rotation-guard': { cooldown: '10m' } })
    expect(result.status).toBe('pending')
    expect(result.summary).toBe(
      'externalsecret/my-app-secrets in shop synced 2m ago, within the 10m cool-down after a secret refresh'
    )
  })

  function lease(annotations: Record<string, string>, renewTime = '2025-06-02T11:59:30.000000Z') {
    cluster.sim.create({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'promote-action.production', namespace: 'shop', annotations },
      spec: {
        holderIdentity: 'acme/shop/777/1',
        leaseDurationSeconds: 60,
        acquireTime: '2025-06-02T11:50:00.000000Z',
        renewTime
      }
    })
  }

  it('is pending while a secret rotation holds the environment lock, showing its reason', async () => {
    lease({
      'promote-action.io/purpose': 'rotation',
      'promote-action.io/reason': 'rotate the database password'
    })
    const result = await run({ 'external-secrets': { enabled: false } })
    expect(result.status).toBe('pending')
    expect(result.summary).toBe(
      'a secret rotation holds the lock of production (lease shop/promote-action.production in default, held by acme/shop/777/1: "rotate the database password"); promotions wait until it is released'
    )
    expect(result.evidence).toContainEqual({
      label: 'lease shop/promote-action.production in default',
      value:
        '⏳ secret rotation by acme/shop/777/1 (rotate the database password), held until 2025-06-02T12:00:30.000Z',
      url: 'https://github.com/acme/shop/actions/runs/777/attempts/1'
    })
  })

  it("ignores a dead rotation's expired lease, and a promotion's lease (the concurrency gate's business)", async () => {
    lease({ 'promote-action.io/purpose': 'rotation' }, '2025-06-02T11:40:00.000000Z')
    expect((await run({ 'external-secrets': { enabled: false } })).status).toBe('passed')
    cluster.sim.delete('leases', 'shop', 'promote-action.production')
    lease({})
    expect((await run({ 'external-secrets': { enabled: false } })).status).toBe('passed')
  })

  it('does not apply the rotation guard to the drift report', async () => {
    lease({ 'promote-action.io/purpose': 'rotation' })
    const report = await secretsCheck.check(
      secrets.settings.parse({ 'external-secrets': { enabled: false } }),
      {
        ...h.context({ kubernetes: cluster.kubernetes, kubernetesConfigured: true, clock }),
        purpose: 'report'
      }
    )
    expect(report.result.status).toBe('passed')
  })
})
