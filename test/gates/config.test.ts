import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { config } from '../../src/gates/config.js'
import { environment, SHA, startGateHarness, type GateHarness } from './support/gate-harness.js'
import { readsSince, REPOSITORY, startGateCluster, type GateCluster } from './support/cluster.js'

const SECRET_VALUE = 'postgres://app:S3cr3t-Pa55w0rd@db.internal:5432/shop'

function web(namespace: string, app: object, extra: object = {}, name = 'web') {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            { name: 'app', image: `${REPOSITORY}:${SHA}`, ...app },
            { name: 'log-shipper', image: 'docker.io/fluent/fluent-bit:3.0' }
          ],
          ...extra
        }
      }
    }
  }
}

describe('config gate (Kubernetes simulator)', () => {
  let h: GateHarness
  let cluster: GateCluster
  beforeEach(async () => {
    h = await startGateHarness()
    cluster = await startGateCluster(h.logger)
    cluster.sim.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'app-config', namespace: 'shop' },
      data: { REDIS_URL: 'redis://cache:6379', 'app.yaml': 'port: 8080' }
    })
    cluster.sim.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'shop' },
      stringData: { DATABASE_URL: SECRET_VALUE }
    })
  })
  afterEach(async () => {
    await cluster.close()
    await h.close()
  })

  const run = (settings: unknown = {}, overrides = {}) =>
    h.run(config, settings, { kubernetes: cluster.kubernetes, kubernetesConfigured: true, ...overrides })

  /** Everything the gate could show: result, log. */
  const everything = (result: unknown) => JSON.stringify(result) + JSON.stringify(h.logger.entries)

  it('passes when every referenced ConfigMap key exists, counting the Secret references it did not read', async () => {
    cluster.sim.create(
      web(
        'shop',
        {
          env: [
            { name: 'REDIS_URL', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'REDIS_URL' } } },
            { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'db', key: 'DATABASE_URL' } } }
          ],
          volumeMounts: [{ name: 'config', mountPath: '/etc/app' }]
        },
        {
          volumes: [
            {
              name: 'config',
              configMap: { name: 'app-config', items: [{ key: 'app.yaml', path: 'app.yaml' }] }
            }
          ]
        }
      )
    )
    const result = await run()
    expect(result.status).toBe('passed')
    expect(result.summary).toBe(
      "production's configuration is complete (1 workload(s) in default; 2 ConfigMap reference(s); 1 Secret reference(s) not checked (secret-keys: false))"
    )
  })

  it('fails on a missing ConfigMap key, a missing ConfigMap and a missing volume item; optional ones are warnings', async () => {
    cluster.sim.create(
      web(
        'shop',
        {
          env: [
            { name: 'RATE_LIMIT', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'RATE_LIMIT' } } },
            {
              name: 'BETA',
              valueFrom: { configMapKeyRef: { name: 'app-config', key: 'BETA', optional: true } }
            }
          ],
          envFrom: [{ configMapRef: { name: 'feature-flags' } }]
        },
        {
          volumes: [
            {
              name: 'config',
              configMap: { name: 'app-config', items: [{ key: 'logging.yaml', path: 'l.yaml' }] }
            }
          ]
        }
      )
    )
    const result = await run()
    expect(result.status).toBe('failed')
    expect(result.evidence.filter((e) => e.value?.toString().startsWith('✗')).map((e) => e.value)).toEqual([
      '✗ configmap/app-config has no key RATE_LIMIT; container app reads RATE_LIMIT from it',
      '✗ configmap/feature-flags does not exist; container app loads its keys as environment',
      '✗ configmap/app-config has no key logging.yaml; volume config mounts it'
    ])
    expect(result.warnings).toEqual([
      'default/shop/deployment/web: configmap/app-config has no key BETA; container app reads BETA from it (optional)'
    ])
  })

  it('with secret-keys, catches a missing Secret key before the rollout, and never prints a value', async () => {
    cluster.sim.create(
      web('shop', {
        env: [
          { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'db', key: 'DATABASE_URL' } } },
          { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'db', key: 'API_KEY' } } }
        ]
      })
    )
    const result = await run({ 'secret-keys': true })
    expect(result.status).toBe('failed')
    expect(result.summary).toBe(
      'production is missing configuration: default/shop/deployment/web: secret/db has no key API_KEY; container app reads API_KEY from it'
    )
    expect(everything(result)).not.toContain(SECRET_VALUE)
    expect(everything(result)).not.toContain(Buffer.from(SECRET_VALUE).toString('base64'))
  })

  it('finds required variables missing from the promoted container, through env or envFrom', async () => {
    cluster.sim.create(
      web('shop', {
        env: [
          { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'db', key: 'DATABASE_URL' } } },
          { name: 'EMPTY', value: '' }
        ],
        envFrom: [{ configMapRef: { name: 'app-config' } }]
      })
    )
    const required = { 'required-env': ['DATABASE_URL', 'REDIS_URL', 'API_KEY', 'EMPTY'], references: false }
    const result = await run({ ...required, 'secret-keys': true })
    expect(result.status).toBe('failed')
    expect(result.evidence.filter((e) => e.value?.toString().startsWith('✗')).map((e) => e.value)).toEqual([
      '✗ container app: required variable API_KEY is not set (neither in env nor through envFrom)',
      '✗ container app: required variable EMPTY is set to the empty string'
    ])
  })

  it('without secret-keys, a required variable that may come from a Secret through envFrom is a warning', async () => {
    cluster.sim.create(web('shop', { envFrom: [{ secretRef: { name: 'db' } }] }))
    const result = await run({ 'required-env': ['DATABASE_URL'] })
    expect(result.status).toBe('passed')
    expect(result.warnings).toEqual([
      'default/shop/deployment/web: container app: DATABASE_URL is not set directly; it may come from secret db through envFrom (not read: secret-keys is false)'
    ])
  })

  describe('layered config files', () => {
    const layered = {
      base: 'config/base-config.yaml',
      overrides: 'config/${environment}.yaml',
      required: ['app.port', 'app.log_level']
    }
    beforeEach(() => {
      mkdirSync(join(h.workspace, 'config'))
      h.write(
        'config/base-config.yaml',
        'app:\n  name: my-app\n  port: 8080\n  log_format: json\n  rate_limit_rpm: 100\n'
      )
      h.write(
        'config/staging.yaml',
        'app:\n  cors_origins:\n    - https://staging.example.com\n  rate_limit_rpm: 1000\n  log_level: info\n  flags_url: https://flags.staging\n'
      )
    })
    const files = { references: false, layered }

    it("passes when production's merged config has staging's shape and the required keys", async () => {
      h.write(
        'config/production.yaml',
        'app:\n  cors_origins:\n    - https://app.example.com\n  rate_limit_rpm: 10000\n  log_level: warn\n  flags_url: https://flags\n'
      )
      const result = await h.run(config, files)
      expect(result.status).toBe('passed')
      expect(result.summary).toBe(
        "production's configuration is complete (layered config config/base-config.yaml, config/production.yaml, config/staging.yaml (production, staging))"
      )
    })

    it('says which environment lacks what', async () => {
      h.write('config/production.yaml', 'app:\n  rate_limit_rpm: 10000\n  log_level: ""\n')
      const result = await h.run(config, files)
      expect(result.status).toBe('failed')
      expect(result.evidence.map((e) => e.value)).toEqual([
        '✗ production lacks app.cors_origins, which staging has',
        '✗ production lacks app.flags_url, which staging has',
        '✗ production: required key app.log_level is empty',
        expect.stringContaining('layered config')
      ])
    })

    it('fails when an environment has no override file', async () => {
      const result = await h.run(config, files)
      expect(result.status).toBe('failed')
      expect(result.summary).toBe(
        'production is missing configuration: config/production.yaml: config/production.yaml does not exist'
      )
    })
  })

  it('reads one ConfigMap list per namespace however many workloads reference it', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `svc-${i}`)
    for (const name of names)
      cluster.sim.create(
        web(
          'shop',
          {
            env: [
              { name: 'REDIS_URL', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'REDIS_URL' } } }
            ]
          },
          {},
          name
        )
      )
    const from = cluster.sim.requestLog.length
    const result = await run(
      { 'secret-keys': true },
      { environment: environment({ from: 'staging', targets: [{ selector: 'app' }] }) }
    )
    expect(result.status).toBe('passed')
    expect(readsSince(cluster.sim, from).sort()).toEqual([
      '/api/v1/namespaces/shop/configmaps',
      '/api/v1/namespaces/shop/secrets',
      '/apis/apps/v1/namespaces/shop/deployments?labelSelector=app'
    ])
  })

  it('asks for cluster credentials or with.layered before anything runs', () => {
    const setup = {
      environmentName: 'production',
      environment: environment({}),
      upstream: undefined,
      hasImage: true,
      kubernetesConfigured: false
    }
    expect(config.validate!(config.settings.parse({}), setup)).toEqual([
      'cluster credentials to read production (the kubeconfig input, the KUBECONFIG variable, or a runner inside the cluster), or references: false'
    ])
    expect(config.validate!(config.settings.parse({ references: false }), setup)).toEqual([
      'targets on production, or with.layered (config files to compare)'
    ])
  })
})
