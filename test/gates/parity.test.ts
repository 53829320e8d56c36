import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { parity, parityCheck } from '../../src/gates/parity.js'
import { parsePromotionConfig } from '../../src/config/parse-config.js'
import { gateCatalog } from '../../src/gates/registry.js'
import { ImageReference } from '../../src/image/image-reference.js'
import { environment, SHA, startGateHarness, type GateHarness } from './support/gate-harness.js'
import { readsSince, REPOSITORY, rolledOut, startGateCluster, type GateCluster } from './support/cluster.js'

const IMAGE = `${REPOSITORY}:${SHA}`
const DIGEST = `sha256:${'ab'.repeat(32)}`

interface AppOptions {
  name?: string
  replicas?: number
  image?: string
  env?: { name: string; value?: string; valueFrom?: object }[]
  envFrom?: object[]
  ports?: number[]
  readiness?: boolean
  sidecar?: boolean
  volumes?: object[]
  mounts?: object[]
  resources?: object
  podLabels?: Record<string, string>
}

function app(namespace: string, o: AppOptions = {}) {
  const name = o.name ?? 'web'
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { app: name, tier: 'frontend' } },
    spec: {
      replicas: o.replicas ?? 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...o.podLabels } },
        spec: {
          containers: [
            {
              name: 'app',
              image: o.image ?? IMAGE,
              env: o.env ?? [
                { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'db', key: 'url' } } },
                { name: 'LOG_LEVEL', value: 'info' }
              ],
              ...(o.envFrom ? { envFrom: o.envFrom } : {}),
              ports: (o.ports ?? [8080]).map((containerPort) => ({ containerPort })),
              ...(o.readiness === false
                ? {}
                : { readinessProbe: { httpGet: { path: '/healthz', port: 8080 } } }),
              ...(o.mounts ? { volumeMounts: o.mounts } : {}),
              ...(o.resources ? { resources: o.resources } : {})
            },
            ...(o.sidecar === false
              ? []
              : [{ name: 'log-shipper', image: 'docker.io/fluent/fluent-bit:3.0' }])
          ],
          ...(o.volumes ? { volumes: o.volumes } : {})
        }
      }
    }
  }
}

describe('parity gate (Kubernetes simulator)', () => {
  let h: GateHarness
  let cluster: GateCluster
  beforeEach(async () => {
    h = await startGateHarness()
    cluster = await startGateCluster(h.logger)
    cluster.sim.setImageDigest(IMAGE, DIGEST)
  })
  afterEach(async () => {
    await cluster.close()
    await h.close()
  })

  const live = () => ({ kubernetes: cluster.kubernetes, kubernetesConfigured: true })
  const run = (settings: unknown = {}, overrides = {}) => h.run(parity, settings, { ...live(), ...overrides })

  async function both(staging: AppOptions, production: AppOptions) {
    cluster.sim.create(app('shop-staging', staging))
    cluster.sim.create(app('shop', production))
    await Promise.all([rolledOut(cluster.sim, 'shop-staging'), rolledOut(cluster.sim, 'shop')])
  }

  it('passes when production differs from staging only where the seed says it should', async () => {
    await both(
      { replicas: 2, resources: { requests: { cpu: '100m' } } },
      {
        replicas: 3,
        resources: { requests: { cpu: '500m' } },
        env: [
          { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'db', key: 'url' } } },
          { name: 'LOG_LEVEL', value: 'warn' }
        ]
      }
    )
    const result = await run()
    expect(result.status).toBe('passed')
    expect(result.summary).toBe('production and staging match in 1 workload(s) (2 allowed differences)')
    expect(result.evidence).toEqual([
      { label: 'deployment/web replicas', value: '✓ allowed: staging 2, production 3' },
      {
        label: 'deployment/web resources app / requests.cpu',
        value: '✓ allowed: staging 100m, production 500m'
      }
    ])
  })

  it('catches an env var that production lacks, with the drift table, and never shows a value', async () => {
    await both(
      {
        env: [
          { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'db', key: 'url' } } },
          { name: 'FEATURE_FLAGS_URL', value: 'https://flags.staging.example.com' }
        ]
      },
      { env: [{ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'db', key: 'url' } } }] }
    )
    const report = await parityCheck.check(parity.settings.parse({}), {
      ...h.context(live()),
      purpose: 'gate'
    })
    expect(report.result.status).toBe('failed')
    expect(report.result.summary).toBe(
      'production and staging differ where they should not: deployment/web env app / FEATURE_FLAGS_URL (staging value, production absent)'
    )
    expect(report.markdown).toContain(
      '| deployment/web | env | app / FEATURE_FLAGS_URL | value | absent | **no** |'
    )
    expect(JSON.stringify(report)).not.toContain('flags.staging.example.com')
  })

  it('compares every dimension of the pod template: containers, ports, probes, envFrom, volumes and their keys', async () => {
    cluster.sim.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'shop-staging' },
      data: { 'app.yaml': 'a', 'features.yaml': 'b' }
    })
    cluster.sim.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'shop' },
      data: { 'app.yaml': 'a' }
    })
    const volumes = [{ name: 'settings', configMap: { name: 'settings' } }]
    const mounts = [{ name: 'settings', mountPath: '/etc/app' }]
    await both(
      { envFrom: [{ configMapRef: { name: 'shared' } }], volumes, mounts },
      { ports: [8080, 9090], readiness: false, sidecar: false, volumes, mounts }
    )
    const result = await run({ allow: [] })
    expect(result.status).toBe('failed')
    const labels = result.evidence.map((e) => `${e.label}: ${e.value}`)
    expect(labels).toEqual(
      expect.arrayContaining([
        'deployment/web container log-shipper: ✗: staging container, production absent',
        'deployment/web envFrom app / configMap:shared: ✗: staging present, production absent',
        'deployment/web port app / 9090/TCP: ✗: staging absent, production open',
        'deployment/web probe app / readiness: ✗: staging set, production absent',
        'deployment/web volumeKey settings / features.yaml: ✗: staging present, production absent'
      ])
    )
    expect(labels).toHaveLength(5)
  })

  it('fails when upstream runs another build than the one about to be promoted, by digest', async () => {
    await both({}, { image: `${REPOSITORY}:previous` })
    expect((await run()).status).toBe('passed')

    const other = ImageReference.parse(`${REPOSITORY}:another-build`)
    const result = await run({}, { image: other })
    expect(result.status).toBe('failed')
    expect(result.evidence[0]).toEqual({
      label: 'deployment/web image app',
      value: `✗: staging ${IMAGE}, production ${REPOSITORY}:another-build (digest unknown)`
    })
  })

  it('leaves the promoted image out of the drift report: a target runs its last release until promoted', async () => {
    await both({}, { image: `${REPOSITORY}:previous` })
    const report = await parityCheck.check(parity.settings.parse({}), {
      ...h.context({ ...live(), image: undefined }),
      environment: environment({ from: 'staging', image: { repository: REPOSITORY } }),
      purpose: 'report'
    })
    expect(report.result.status).toBe('passed')
  })

  it('fails for a target workload upstream does not have', async () => {
    cluster.sim.create(app('shop-staging'))
    cluster.sim.create(app('shop', { name: 'worker' }))
    const result = await run(
      {},
      {
        environment: environment({ from: 'staging', targets: [{ name: 'worker' }] }),
        upstream: environment({ name: 'staging', namespace: 'shop-staging', targets: [{ name: 'web' }] })
      }
    )
    expect(result.status).toBe('failed')
    expect(result.summary).toContain('staging has no Deployment worker among its targets')
  })

  it('fails when a target does not exist', async () => {
    cluster.sim.create(app('shop-staging'))
    const result = await run()
    expect(result.status).toBe('failed')
    expect(result.summary).toContain('deployment/web does not exist in default/shop')
  })

  it('compares service mesh injection from the namespace labels and the ingress classes', async () => {
    const ns = cluster.sim.get('namespaces', undefined, 'shop-staging') as {
      metadata: Record<string, unknown>
    }
    cluster.sim.update({ ...ns, metadata: { ...ns.metadata, labels: { 'istio-injection': 'enabled' } } })
    for (const [namespace, className] of [
      ['shop-staging', 'nginx'],
      ['shop', 'traefik']
    ] as const)
      cluster.sim.create({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'web', namespace },
        spec: { ingressClassName: className, rules: [{ host: `${namespace}.example.com` }] }
      })
    await both({}, {})
    const result = await run()
    expect(result.status).toBe('failed')
    expect(result.evidence.map((e) => `${e.label}: ${e.value}`)).toEqual([
      'deployment/web mesh: ✗: staging istio, production none',
      'namespace ingressClass: ✗: staging nginx, production traefik'
    ])
  })

  it('compares the GitOps overlays in the manifests repository: same bases and image entries', async () => {
    h.github.putFile(
      'environments/staging/kustomization.yaml',
      'resources:\n  - ../../base\n  - ../../components/cache\nimages:\n  - name: ghcr.io/acme/shop-web\n    newTag: abc\n'
    )
    h.github.putFile(
      'environments/production/kustomization.yaml',
      'resources:\n  - ../../base\nimages:\n  - name: ghcr.io/acme/shop-web\n    newTag: def\n'
    )
    const gitops = (env: string) => ({
      mode: 'gitops',
      targets: [],
      gitops: { path: `environments/${env}/kustomization.yaml`, 'image-name': 'ghcr.io/acme/shop-web' }
    })
    const result = await h.run(
      parity,
      {},
      {
        environment: environment({ name: 'production', from: 'staging', ...gitops('production') }),
        upstream: environment({ name: 'staging', ...gitops('staging') })
      }
    )
    expect(result.status).toBe('failed')
    expect(result.evidence).toEqual([
      {
        label: 'environments/production/kustomization.yaml kustomizeResource ../../components/cache',
        value: '✗: staging present, production absent'
      }
    ])
  })

  it('reads each kind once per namespace however many workloads it compares', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `svc-${String(i).padStart(2, '0')}`)
    for (const name of names) {
      cluster.sim.create(app('shop-staging', { name }))
      cluster.sim.create(app('shop', { name }))
    }
    const targets = names.map((name) => ({ name }))
    const from = cluster.sim.requestLog.length
    const result = await run(
      {},
      {
        environment: environment({ from: 'staging', targets }),
        upstream: environment({ name: 'staging', namespace: 'shop-staging', targets })
      }
    )
    expect(result.summary).toBe('production and staging match in 12 workload(s)')
    expect(readsSince(cluster.sim, from).sort()).toEqual(
      [
        '/api/v1/namespaces/shop',
        '/api/v1/namespaces/shop-staging',
        '/api/v1/namespaces/shop/configmaps',
        '/api/v1/namespaces/shop-staging/configmaps',
        '/api/v1/namespaces/shop/pods',
        '/api/v1/namespaces/shop-staging/pods',
        '/apis/apps/v1/namespaces/shop/deployments',
        '/apis/apps/v1/namespaces/shop-staging/deployments',
        '/apis/networking.k8s.io/v1/namespaces/shop/ingresses',
        '/apis/networking.k8s.io/v1/namespaces/shop-staging/ingresses'
      ].sort()
    )
  })

  it('rejects an allow-list entry naming no dimension, with every problem at once', () => {
    expect(() =>
      parsePromotionConfig(
        `environments:\n  staging: {namespace: s, targets: [{name: web}]}\n  production:\n    from: staging\n    namespace: p\n    targets: [{name: web}]\n    gates:\n      - uses: parity\n        with: { allow: [replicas, 'colour:red', 'env:'] }\n`,
        'promotion.yml',
        gateCatalog
      )
    ).toThrow(/gates\[0\]\.with\.allow\[1\].*DIMENSION\[:KEY\]\[@SCOPE\][\s\S]*allow\[2\]/)
  })
})
