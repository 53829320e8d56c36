/* eslint-disable @typescript-eslint/no-explicit-any -- raw Kubernetes API JSON, read field by field */
/**
 * The parity, config, capacity and disruption gates against the real control plane (RBAC on,
 * the real quota and disruption controllers), authenticated ONLY as the least-privilege
 * ServiceAccount of cluster/rbac/promote-action-role.yaml: the Role's list rules for the
 * environment checks are exactly what they need, and Secret key names need the opt-in Role.
 */
import { readFileSync } from 'node:fs'
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { capacity } from '../../src/gates/capacity.js'
import { config } from '../../src/gates/config.js'
import { disruption } from '../../src/gates/disruption.js'
import { lazyKubernetes } from '../../src/gates/gate-kubernetes.js'
import { parity } from '../../src/gates/parity.js'
import { environment, startGateHarness, type GateHarness } from '../gates/support/gate-harness.js'
import { deploymentManifest } from '../kubernetes/support/fixtures.js'
import { apply, createTestNamespace, eventually, getJson, kubectl, rolloutStatus, type TestNamespace } from './support/cluster.js'

const IMAGE = 'ghcr.io/acme/shop-web:1.0.0'

let staging: TestNamespace
let production: TestNamespace
let h: GateHarness

beforeAll(async () => {
  ;[staging, production] = await Promise.all([createTestNamespace('checks-stg'), createTestNamespace('checks-prd')])
  // Parity reads both environments with one identity: production's ServiceAccount gets the
  // same Role in staging's namespace too.
  await apply({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'promote-action-from-production', namespace: staging.name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'promote-action' },
    subjects: [{ kind: 'ServiceAccount', name: 'promote-action', namespace: production.name }]
  })
})
afterAll(async () => {
  await Promise.all([staging, production].map((n) => n.dispose()))
})
afterEach(async () => {
  await h?.close()
})

/** A gate context that reads the cluster as production's ServiceAccount. */
async function asServiceAccount(targets: object[] = [{ name: 'web' }]) {
  h = await startGateHarness()
  return {
    environment: environment({ from: 'staging', namespace: production.name, targets }),
    upstream: environment({ name: 'staging', namespace: staging.name, targets }),
    kubernetes: lazyKubernetes({ kubeconfig: production.saKubeconfig, env: {}, logger: h.logger }),
    kubernetesConfigured: true,
    image: undefined
  }
}

function web(namespace: string, name: string, env: object[], extra: Record<string, unknown> = {}) {
  const m: any = deploymentManifest({ name, namespace, image: IMAGE })
  m.spec.template.spec.containers[0].env = env
  m.spec.template.spec.containers[0].resources = { requests: { cpu: '100m', memory: '32Mi' } }
  Object.assign(m.spec, extra)
  return m
}

describe('environment checks on the real control plane, as the ServiceAccount', () => {
  it('the Role lets the checks list what they read, and still no Secret', async () => {
    const can = (verb: string, resource: string) =>
      kubectl(['auth', 'can-i', verb, resource, '-n', production.name], undefined, production.saKubeconfigPath).then(
        (o) => o.trim(),
        (e: { stdout?: string }) => (e.stdout ?? '').trim()
      )
    for (const resource of ['configmaps', 'resourcequotas', 'limitranges', 'ingresses.networking.k8s.io', 'poddisruptionbudgets.policy'])
      expect(`${resource}: ${await can('list', resource)}`).toBe(`${resource}: yes`)
    expect(await can('list', 'secrets')).toBe('no')
    expect(await can('get', 'configmaps')).toBe('no')
  })

  it('parity: catches an env var production lacks, and says the namespace labels are out of reach', async () => {
    const flags = { name: 'FEATURE_FLAGS_URL', value: 'https://flags.staging.example.com' }
    const level = { name: 'LOG_LEVEL', value: 'info' }
    await Promise.all([apply(web(staging.name, 'web', [level, flags])), apply(web(production.name, 'web', [level]))])
    await Promise.all([rolloutStatus('deployment', 'web', staging.name), rolloutStatus('deployment', 'web', production.name)])
    const result = await runGate(parity, {}, await asServiceAccount())
    expect(result.status).toBe('failed')
    expect(result.summary).toBe(
      'production and staging differ where they should not: deployment/web env app / FEATURE_FLAGS_URL (staging value, production absent)'
    )
    // A Role cannot grant get on a Namespace (cluster-scoped): mesh injection is judged from the templates.
    expect(result.warnings).toHaveLength(2)
    expect(result.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^could not read namespace checks-stg-.* \(get on namespaces is forbidden\)/),
        expect.stringMatching(/^could not read namespace checks-prd-.* \(get on namespaces is forbidden\)/)
      ])
    )
  })

  it('config: a missing ConfigMap key fails; Secret keys need the opt-in Role', async () => {
    await kubectl(['create', 'configmap', 'app-config', '-n', production.name, '--from-literal=REDIS_URL=redis://cache'])
    await kubectl(['create', 'secret', 'generic', 'db', '-n', production.name, '--from-literal=DATABASE_URL=postgres://x:y@db/shop'])
    await apply(
      web(production.name, 'api', [
        { name: 'REDIS_URL', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'REDIS_URL' } } },
        { name: 'RATE_LIMIT', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'RATE_LIMIT' } } },
        { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'db', key: 'API_KEY' } } }
      ])
    )
    const context = await asServiceAccount([{ name: 'api' }])
    const result = await runGate(config, {}, context)
    expect(result.status).toBe('failed')
    expect(result.summary).toBe(
      `production is missing configuration: default/${production.name}/deployment/api: configmap/app-config has no key RATE_LIMIT; container app reads RATE_LIMIT from it`
    )
    await expect(runGate(config, { 'secret-keys': true }, context)).rejects.toThrow(/secrets/)

    const optIn = readFileSync('cluster/rbac/promote-action-secret-keys-role.yaml', 'utf8').replaceAll('promote-test', production.name)
    await kubectl(['apply', '-f', '-'], optIn)
    // Each run is a fresh snapshot: the forbidden list is read again.
    const withKeys = await eventually('the opt-in Role to take effect', () =>
      runGate(config, { 'secret-keys': true }, context)
    )
    expect(withKeys.status).toBe('failed')
    expect(withKeys.summary).toContain('secret/db has no key API_KEY; container app reads API_KEY from it')
    expect(JSON.stringify(withKeys)).not.toContain('postgres://x:y@db/shop')
  })

  it('capacity: a real ResourceQuota without room for the surge pod fails before the rollout', async () => {
    await apply({
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'compute', namespace: production.name },
      spec: { hard: { 'requests.cpu': '1' } }
    })
    await apply(web(production.name, 'quota-app', []))
    await rolloutStatus('deployment', 'quota-app', production.name)
    const context = await asServiceAccount([{ name: 'quota-app' }])
    const used = await eventually('the quota controller to count the pods', async () => {
      const q = await getJson('resourcequota', production.name, 'compute')
      return q.status?.used?.['requests.cpu'] && q.status.used['requests.cpu'] !== '0' ? q.status.used['requests.cpu'] : undefined
    })
    expect((await runGate(capacity, {}, context)).status).toBe('passed')

    // Leave less than one pod's request: 1 - used - 50m.
    const usedMilli = used.endsWith('m') ? Number(used.slice(0, -1)) : Number(used) * 1000
    const hard = `${usedMilli + 50}m`
    await kubectl(['patch', 'resourcequota', 'compute', '-n', production.name, '--type=merge', '-p', JSON.stringify({ spec: { hard: { 'requests.cpu': hard } } })])
    const result = await eventually('the quota to show the new hard limit', async () => {
      const r = await runGate(capacity, {}, context)
      return r.status === 'failed' ? r : undefined
    })
    expect(result.summary).toContain(`deployment/quota-app: quota compute leaves 50m of requests.cpu (hard ${hard}, used ${used}); the rollout needs 100m more`)
  })

  it('disruption: the seed budget passes, one that blocks every drain fails', async () => {
    await apply(web(production.name, 'pdb-app', [], { replicas: 3 }))
    await apply({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'pdb-app', namespace: production.name },
      spec: { minAvailable: 2, selector: { matchLabels: { app: 'pdb-app' } } }
    })
    const context = await asServiceAccount([{ name: 'pdb-app' }])
    expect((await runGate(disruption, {}, context)).status).toBe('passed')
    await kubectl(['patch', 'pdb', 'pdb-app', '-n', production.name, '--type=merge', '-p', '{"spec":{"minAvailable":3}}'])
    const result = await runGate(disruption, {}, context)
    expect(result.status).toBe('failed')
    expect(result.summary).toContain('PodDisruptionBudget pdb-app (minAvailable: 3) allows 0 disruptions with 3 replicas')
  })
})

function runGate(gate: Parameters<GateHarness['run']>[0], settings: unknown, overrides: object) {
  return h.run(gate, settings, overrides)
}
