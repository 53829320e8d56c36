import { describe, expect, it } from '@jest/globals'
import type { V1Deployment, V1Ingress, V1Namespace } from '@kubernetes/client-node'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { compareKustomizeOverlays } from '../../src/environment-checks/kustomize-overlays.js'
import {
  allowListProblems,
  compareIngressClasses,
  compareWorkloadParity,
  isAllowed,
  parseAllowEntry,
  type ParitySide
} from '../../src/environment-checks/parity.js'
import { driftReport, parityMarkdown } from '../../src/environment-checks/parity-report.js'
import { meshInjection } from '../../src/environment-checks/pod-template-shape.js'
import { OperationalError } from '../../src/runtime/errors.js'
import { container, deployment } from './support/workloads.js'

const DIGEST = `sha256:${'a'.repeat(64)}`
const OTHER_DIGEST = `sha256:${'b'.repeat(64)}`

/** Staging and production of the same app: only what the seed says should differ differs. */
function app(env: 'staging' | 'production', change: (d: V1Deployment) => void = () => {}): ParitySide {
  const d = deployment({
    replicas: env === 'staging' ? 2 : 5,
    pod: {
      containers: [
        container({
          image: `my-registry/my-app:${env === 'staging' ? 'def456' : 'abc123'}`,
          env: [
            { name: 'LOG_LEVEL', value: env === 'staging' ? 'info' : 'warn' },
            {
              name: 'PAYMENTS_API_URL',
              value: `https://${env === 'staging' ? 'sandbox.' : ''}payments.example.com`
            },
            {
              name: 'DATABASE_URL',
              valueFrom: { secretKeyRef: { name: 'my-app-secrets', key: 'DATABASE_URL' } }
            }
          ],
          envFrom: [
            { configMapRef: { name: env === 'staging' ? 'app-config-5t2h8mbk9g' : 'app-config-k7c6m4d2fb' } }
          ],
          volumeMounts: [{ name: 'config', mountPath: '/etc/my-app' }],
          resources:
            env === 'staging'
              ? { requests: { cpu: '100m', memory: '256Mi' } }
              : { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '1Gi' } }
        })
      ],
      volumes: [{ name: 'config', configMap: { name: 'app-files' } }]
    }
  })
  change(d)
  return {
    kind: 'Deployment',
    workload: d,
    context: {
      imageDigests: { [`my-registry/my-app:${env === 'staging' ? 'def456' : 'abc123'}`]: DIGEST },
      namespace: { metadata: { name: env, labels: { 'istio-injection': 'enabled' } } },
      keys: { configMaps: { 'app-files': ['app.yaml', 'routes.yaml'] }, secrets: {} }
    }
  }
}

const firstContainer = (d: V1Deployment) => d.spec!.template!.spec!.containers[0]!
const disallowed = (upstream: ParitySide, target: ParitySide) =>
  compareWorkloadParity(upstream, target).filter((r) => !r.allowed)

describe('compareWorkloadParity', () => {
  it('passes staging -> production: the differences are the allowed ones (replicas, resources)', () => {
    const rows = compareWorkloadParity(app('staging'), app('production'))
    expect(rows.filter((r) => !r.allowed)).toEqual([])
    expect(
      rows.map((r) => `${r.dimension} ${r.scope ?? ''}/${r.key ?? ''} ${r.upstream} -> ${r.target}`)
    ).toEqual([
      'replicas / 2 -> 5',
      'resources app/requests.cpu 100m -> 500m',
      'resources app/requests.memory 256Mi -> 512Mi',
      'resources app/limits.memory unset -> 1Gi'
    ])
  })

  it.each<[string, (d: V1Deployment, side: ParitySide) => void, string[]]>([
    [
      'a different image digest',
      (_d, side) => (side.context!.imageDigests = { 'my-registry/my-app:abc123': OTHER_DIGEST }),
      [`image app/ ${DIGEST} -> ${OTHER_DIGEST}`]
    ],
    [
      'an env var only the target has',
      (d) => firstContainer(d).env!.push({ name: 'REDIS_URL', value: 'redis://cache' }),
      ['env app/REDIS_URL absent -> value']
    ],
    [
      'a secret that became a plain value',
      (d) => (firstContainer(d).env![2] = { name: 'DATABASE_URL', value: 'postgres://db' }),
      ['env app/DATABASE_URL secretKeyRef -> value']
    ],
    [
      'an envFrom source swapped for a Secret',
      (d) => (firstContainer(d).envFrom = [{ secretRef: { name: 'app-config' } }]),
      [
        'envFrom app/configMap:app-config present -> absent',
        'envFrom app/secret:app-config absent -> present'
      ]
    ],
    [
      'a missing readiness probe',
      (d) => delete firstContainer(d).readinessProbe,
      ['probe app/readiness set -> absent']
    ],
    [
      'a startup probe only in the target',
      (d) => (firstContainer(d).startupProbe = { tcpSocket: { port: 8080 } }),
      ['probe app/startup absent -> set']
    ],
    [
      'a different port',
      (d) => (firstContainer(d).ports = [{ containerPort: 9090 }]),
      ['port app/8080/TCP open -> absent', 'port app/9090/TCP absent -> open']
    ],
    [
      'a missing mount',
      (d) => (firstContainer(d).volumeMounts = []),
      ['mount app//etc/my-app config -> absent']
    ],
    [
      'a volume of another type',
      (d) => (d.spec!.template!.spec!.volumes = [{ name: 'config', emptyDir: {} }]),
      ['volume /config configMap -> emptyDir']
    ],
    [
      'a volume that mounts fewer ConfigMap keys',
      (d) =>
        (d.spec!.template!.spec!.volumes![0]!.configMap!.items = [{ key: 'app.yaml', path: 'app.yaml' }]),
      ['volumeKey config/routes.yaml present -> absent']
    ],
    [
      'an extra container',
      (d) =>
        d.spec!.template!.spec!.containers.push(container({ name: 'log-shipper', image: 'fluent-bit:3' })),
      ['container /log-shipper absent -> container']
    ],
    [
      'sidecar injection switched off on the pod template',
      (d) => (d.spec!.template!.metadata!.labels!['sidecar.istio.io/inject'] = 'false'),
      ['mesh / istio -> none']
    ]
  ])('reports %s', (_case, change, expected) => {
    const target = app('production')
    change(target.workload as V1Deployment, target)
    const rows = disallowed(app('staging'), target)
    expect(
      rows.map((r) => `${r.dimension} ${r.scope ?? ''}/${r.key ?? ''} ${r.upstream} -> ${r.target}`)
    ).toEqual(expected)
  })

  it('compares references as written when a digest is unknown, and never shows env values', () => {
    const target = app('production')
    target.context!.imageDigests = {}
    const rows = compareWorkloadParity(app('staging'), target)
    expect(rows.find((r) => r.dimension === 'image')).toMatchObject({
      upstream: 'my-registry/my-app:def456',
      target: 'my-registry/my-app:abc123 (digest unknown)',
      allowed: false
    })
    expect(JSON.stringify(rows)).not.toMatch(/payments\.example\.com|info|warn/)
  })

  it('allows LOG_LEVEL to be set in one environment only by default', () => {
    const target = app(
      'production',
      (d) => (firstContainer(d).env = firstContainer(d).env!.filter((e) => e.name !== 'LOG_LEVEL'))
    )
    const row = compareWorkloadParity(app('staging'), target).find((r) => r.dimension === 'env')
    expect(row).toMatchObject({
      scope: 'app',
      key: 'LOG_LEVEL',
      upstream: 'value',
      target: 'absent',
      allowed: true
    })
  })

  it('keeps kustomize hash suffixes only when told to', () => {
    const rows = compareWorkloadParity(app('staging'), app('production'), {
      ignoreGeneratedNameSuffix: false
    })
    expect(rows.filter((r) => r.dimension === 'envFrom').map((r) => r.key)).toEqual([
      'configMap:app-config-5t2h8mbk9g',
      'configMap:app-config-k7c6m4d2fb'
    ])
  })

  it('allows nothing with an empty allow-list', () => {
    expect(
      compareWorkloadParity(app('staging'), app('production'), { allow: [] }).every((r) => !r.allowed)
    ).toBe(true)
  })
})

describe('allow-list entries', () => {
  it.each<[string, { dimension: 'env' | 'image' | 'resources'; scope?: string; key?: string }, boolean]>([
    ['env:LOG_LEVEL', { dimension: 'env', scope: 'app', key: 'LOG_LEVEL' }, true],
    ['env:LOG_LEVEL@api', { dimension: 'env', scope: 'app', key: 'LOG_LEVEL' }, false],
    ['env:*_URL', { dimension: 'env', scope: 'app', key: 'PAYMENTS_API_URL' }, true],
    ['image@istio-*', { dimension: 'image', scope: 'istio-proxy' }, true],
    ['image@istio-*', { dimension: 'image', scope: 'app' }, false],
    ['resources', { dimension: 'resources', scope: 'app', key: 'limits.cpu' }, true],
    ['resources:requests.*', { dimension: 'resources', scope: 'app', key: 'limits.cpu' }, false]
  ])('%s on %j is %s', (entry, row, expected) => {
    expect(isAllowed(row, [entry])).toBe(expected)
  })

  it('parses the parts and reports unknown dimensions for the config schema', () => {
    expect(parseAllowEntry('mount:/var/log@app')).toEqual({
      dimension: 'mount',
      key: '/var/log',
      scope: 'app'
    })
    expect(allowListProblems(['replicas', 'replica', 'env:'], 'parity.allow')).toEqual([
      {
        path: 'parity.allow[1]',
        value: 'replica',
        expected: expect.stringContaining('DIMENSION one of container, image')
      },
      { path: 'parity.allow[2]', value: 'env:', expected: expect.any(String) }
    ])
  })
})

describe('meshInjection', () => {
  const ns = (
    labels: Record<string, string> = {},
    annotations: Record<string, string> = {}
  ): V1Namespace => ({
    metadata: { name: 'production', labels, annotations }
  })
  const pod = (labels: Record<string, string> = {}, annotations: Record<string, string> = {}) => ({
    metadata: { labels, annotations }
  })

  it.each<[string, ReturnType<typeof pod>, V1Namespace | undefined, string]>([
    ['an injecting namespace', pod(), ns({ 'istio-injection': 'enabled' }), 'istio'],
    [
      'a pod opting out by label',
      pod({ 'sidecar.istio.io/inject': 'false' }),
      ns({ 'istio-injection': 'enabled' }),
      'none'
    ],
    [
      'a pod opting out by the older annotation',
      pod({}, { 'sidecar.istio.io/inject': 'false' }),
      ns({ 'istio-injection': 'enabled' }),
      'none'
    ],
    [
      'a disabled namespace beats a pod opting in',
      pod({ 'sidecar.istio.io/inject': 'true' }),
      ns({ 'istio-injection': 'disabled' }),
      'none'
    ],
    ['a pod opting in in an unlabelled namespace', pod({ 'sidecar.istio.io/inject': 'true' }), ns(), 'istio'],
    ['a revision label on the namespace', pod(), ns({ 'istio.io/rev': 'canary' }), 'istio (revision canary)'],
    ['ambient mode', pod(), ns({ 'istio.io/dataplane-mode': 'ambient' }), 'istio (ambient)'],
    ['linkerd on the namespace', pod(), ns({}, { 'linkerd.io/inject': 'enabled' }), 'linkerd'],
    [
      'linkerd disabled on the pod',
      pod({}, { 'linkerd.io/inject': 'disabled' }),
      ns({}, { 'linkerd.io/inject': 'enabled' }),
      'none'
    ],
    ['no namespace given and nothing on the pod', pod(), undefined, 'none']
  ])('%s', (_case, template, namespace, expected) => {
    expect(meshInjection(template, namespace)).toBe(expected)
  })
})

describe('compareIngressClasses', () => {
  const ingress = (className?: string, annotation?: string): V1Ingress => ({
    metadata: {
      name: 'web',
      ...(annotation ? { annotations: { 'kubernetes.io/ingress.class': annotation } } : {})
    },
    spec: { ...(className ? { ingressClassName: className } : {}) }
  })

  it('passes the same class written either way', () => {
    expect(compareIngressClasses([ingress('nginx')], [ingress(undefined, 'nginx')])).toEqual([])
  })

  it('reports different classes', () => {
    expect(compareIngressClasses([ingress('nginx')], [ingress('traefik'), ingress()])).toEqual([
      {
        workload: 'namespace',
        dimension: 'ingressClass',
        upstream: 'nginx',
        target: '(default class), traefik',
        allowed: false
      }
    ])
  })
})

const KUSTOMIZE = join(import.meta.dirname, '../fixtures/environment-checks/kustomize')
const overlay = (path: string) => ({ path, text: readFileSync(join(KUSTOMIZE, path), 'utf8') })

describe('compareKustomizeOverlays', () => {
  it("passes the seed's staging and production overlays (a trailing slash is the same path)", () => {
    expect(
      compareKustomizeOverlays(
        overlay('staging/kustomization.yaml'),
        overlay('production/kustomization.yaml')
      )
    ).toEqual([])
  })

  it('reports an extra resource and an image entry staging does not have', () => {
    expect(
      compareKustomizeOverlays(overlay('staging/kustomization.yaml'), overlay('production/drifted.yaml'))
    ).toEqual([
      {
        workload: 'production/drifted.yaml',
        dimension: 'kustomizeResource',
        key: 'hotfix-configmap.yaml',
        upstream: 'absent',
        target: 'present',
        allowed: false
      },
      {
        workload: 'production/drifted.yaml',
        dimension: 'kustomizeImage',
        key: 'log-shipper',
        upstream: 'absent',
        target: 'present',
        allowed: false
      }
    ])
  })

  it('refuses a file that is not YAML, naming it', () => {
    expect(() =>
      compareKustomizeOverlays(overlay('staging/kustomization.yaml'), { path: 'bad.yaml', text: 'images: [' })
    ).toThrow(OperationalError)
  })
})

describe('parity report', () => {
  const rows = compareWorkloadParity(
    app('staging'),
    app('production', (d) => delete firstContainer(d).readinessProbe)
  )

  it('renders a markdown table with the disallowed rows first', () => {
    const markdown = parityMarkdown(rows, { upstream: 'staging', target: 'production' })
    const lines = markdown.split('\n')
    expect(lines[0]).toBe('| Workload | Dimension | Where | staging | production | Allowed |')
    expect(lines[2]).toBe('| deployment/my-app | probe | app / readiness | set | absent | **no** |')
    expect(lines).toHaveLength(2 + rows.length)
    expect(parityMarkdown([], { upstream: 'staging', target: 'production' })).toBe(
      'No differences between staging and production.'
    )
  })

  it('summarises the rows in the JSON drift report', () => {
    expect(
      driftReport(rows, {
        upstream: 'staging',
        target: 'production',
        generatedAt: '2025-06-01T12:00:00.000Z'
      })
    ).toEqual({
      schemaVersion: 1,
      upstream: 'staging',
      target: 'production',
      generatedAt: '2025-06-01T12:00:00.000Z',
      summary: { subjects: 1, differences: rows.length, disallowed: 1 },
      rows
    })
  })
})
