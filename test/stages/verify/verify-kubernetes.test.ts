import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import type { V1Deployment } from '@kubernetes/client-node'
import { startGitHubEmulator, type GitHubEmulator } from '../../../simulator/github/index.js'
import { startHealthServer, type HealthServer } from '../../../simulator/health/index.js'
import { systemClock } from '../../../src/runtime/clock.js'
import { ImageReference } from '../../../src/image/image-reference.js'
import { waitForRollout } from '../../../src/kubernetes/rollout/rollout-watcher.js'
import { planSetImage } from '../../../src/kubernetes/rollout/set-image-patch.js'
import type { WorkloadRef } from '../../../src/kubernetes/kinds/workload-kinds.js'
import { RecordingLogger } from '../../../src/runtime/logger.js'
import { startTestCluster, type TestCluster } from '../../kubernetes/support/cluster.js'
import { deploymentManifest } from '../../kubernetes/support/fixtures.js'
import { QUICK_POLICY, runVerify, SHA, workspaceWith } from './support.js'

const NAMESPACE = 'shop'
let cluster: TestCluster
let counter = 0

beforeAll(async () => {
  cluster = await startTestCluster({ namespaces: [NAMESPACE] })
})
afterAll(async () => {
  await cluster.close()
})

async function settle(ref: WorkloadRef): Promise<string> {
  return (
    await waitForRollout(ref, {
      api: cluster.api,
      timeoutMs: 5000,
      logger: new RecordingLogger(),
      clock: systemClock
    })
  ).status
}

/** What the promote stage does to a workload: the shared set-image patch, with its annotations. */
async function promote(ref: WorkloadRef, image: string): Promise<void> {
  const plan = planSetImage(ref.kind, await cluster.api.getWorkload(ref), {
    image,
    promotedAt: new Date(),
    sourceSha: SHA
  })
  if (plan.status !== 'patch') throw new Error(`${image} already runs`)
  await cluster.api.patchWorkload(ref, plan.patch)
}

/** A Deployment settled on `from`, then promoted to `to` (not waited for). */
async function promotedDeployment(from: string, to: string, replicas = 2): Promise<WorkloadRef> {
  const name = `web-${++counter}`
  cluster.sim.create(deploymentManifest({ name, namespace: NAMESPACE, image: from, replicas }))
  const ref: WorkloadRef = { kind: 'Deployment', name, namespace: NAMESPACE }
  expect(await settle(ref)).toBe('succeeded')
  await promote(ref, to)
  return ref
}

function runningImage(ref: WorkloadRef): string | undefined {
  return (cluster.sim.get('deployments', ref.namespace, ref.name) as V1Deployment).spec?.template?.spec
    ?.containers[0]?.image
}

function config(target: string, http: string, health = ''): string {
  return `version: 1
environments:
  staging:
    namespace: ${NAMESPACE}
    url: https://staging.example.com
    image:
      repository: ghcr.io/acme/shop
    targets:
      - name: ${target}
    health:${health}${QUICK_POLICY}
      http:
${http}
`
}

describe('verify stage: Kubernetes checks and rollback (against the Kubernetes simulator)', () => {
  let server: HealthServer
  let github: GitHubEmulator
  let workspace: { dir: string; remove(): void } | undefined

  beforeEach(async () => {
    server = await startHealthServer()
    github = await startGitHubEmulator()
  })
  afterEach(async () => {
    workspace?.remove()
    workspace = undefined
    await server.close()
    try {
      github.assertNoViolations()
    } finally {
      await github.close()
    }
  })

  const inputs = (image: string) => ({
    'github-token': github.token,
    kubeconfig: cluster.sim.kubeconfig(),
    image
  })
  const env = () => ({ GITHUB_API_URL: github.url, GITHUB_REPOSITORY: `${github.owner}/${github.repo}` })

  it('is healthy when the target rolled out on the promoted image, no new pod restarted and the PDB allows a disruption', async () => {
    const ref = await promotedDeployment('ghcr.io/acme/shop:v1', 'ghcr.io/acme/shop:v2', 3)
    cluster.sim.create({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: `${ref.name}-pdb`, namespace: NAMESPACE },
      spec: { minAvailable: 1, selector: { matchLabels: { app: ref.name } } }
    })
    server.route('/healthz', { kind: 'up' })
    const deployment = github.addDeployment({ environment: 'staging', sha: SHA })
    workspace = workspaceWith(
      config(
        ref.name,
        `        - url: ${server.url}/healthz`,
        `
      kubernetes:
        pod-disruption-budgets:
          - name: ${ref.name}-pdb
            min-disruptions-allowed: 2`
      )
    )
    const { io } = await runVerify({
      workspace: workspace.dir,
      logger: new RecordingLogger(),
      inputs: inputs('ghcr.io/acme/shop:v2'),
      env: env()
    })

    const report = JSON.parse(io.outputs['report']!)
    expect(
      report.verification.checks.map((c: { type: string; healthy: boolean }) => [c.type, c.healthy])
    ).toEqual([
      ['http', true],
      ['rollout', true],
      ['no-restarts', true],
      ['pod-disruption-budget', true]
    ])
    expect(report.verification.checks[1].detail).toContain('on ghcr.io/acme/shop:v2')
    expect(io.outputs['healthy']).toBe('true')
    expect(github.state.deploymentStatuses[deployment.id]!.at(-1)!.state).toBe('success')
  })

  it('fails when the target does not run the promoted image', async () => {
    const ref = await promotedDeployment('ghcr.io/acme/shop:v1', 'ghcr.io/acme/shop:v2')
    server.route('/healthz', { kind: 'up' })
    workspace = workspaceWith(config(ref.name, `        - url: ${server.url}/healthz`))
    const { io } = await runVerify({
      workspace: workspace.dir,
      logger: new RecordingLogger(),
      inputs: inputs('ghcr.io/acme/shop:v9'),
      env: env()
    })
    expect(io.outputs['healthy']).toBe('false')
    expect(io.failed).toContain(
      `deployment/${ref.name} runs app=ghcr.io/acme/shop:v2, not the promoted ghcr.io/acme/shop:v9`
    )
  })

  it('rolls back to the recorded revision when the new version serves the wrong version, verifies again and fails the step', async () => {
    const ref = await promotedDeployment('ghcr.io/acme/shop:v1', 'ghcr.io/acme/shop:v2')
    // The v2 build reports a stale version; v1 reports its own.
    server.route('/version', {
      kind: 'version',
      version: () => (ImageReference.parse(runningImage(ref)!).tag === 'v2' ? 'v2-rc1' : 'v1')
    })
    const deployment = github.addDeployment({
      environment: 'staging',
      sha: SHA,
      payload: { tool: 'promote-action' }
    })
    workspace = workspaceWith(
      config(
        ref.name,
        `        - name: version
          url: ${server.url}/version
          expect:
            json:
              - path: version
                equals: \${version}`,
        `
      on-failure: rollback`
      ).replace('deadline: 2s', 'deadline: 500ms')
    )
    const logger = new RecordingLogger()
    const { io } = await runVerify({
      workspace: workspace.dir,
      logger,
      inputs: inputs('ghcr.io/acme/shop:v2'),
      env: env()
    })

    expect(runningImage(ref)).toBe('ghcr.io/acme/shop:v1')
    expect(io.outputs['healthy']).toBe('false')
    const report = JSON.parse(io.outputs['report']!)
    expect(report.verification.healthy).toBe(false)
    expect(report.rollback.targets).toEqual([
      expect.objectContaining({
        target: `default/${NAMESPACE}/deployment/${ref.name}`,
        method: 'replica-set',
        rollout: 'succeeded'
      })
    ])
    expect(report.rollback.verification.healthy).toBe(true)
    expect(io.failed).toMatch(/Rolled back to the previous version, which is healthy again/)
    const last = github.state.deploymentStatuses[deployment.id]!.at(-1)!
    expect(last.state).toBe('failure')
    expect(last.description).toMatch(/^Unhealthy, rolled back \(healthy again\): version: /)
    expect(io.summary).toContain('### Rollback')
    expect(io.summary).toContain('### Verification after rollback: ✅ healthy')
  })

  it('rolls back when the new pods crash-loop, reporting the failing pods', async () => {
    cluster.sim.setImageBehaviour('ghcr.io/acme/shop:crashy', { kind: 'crash-loop' })
    const ref = await promotedDeployment('ghcr.io/acme/shop:v1', 'ghcr.io/acme/shop:crashy')
    server.route('/healthz', { kind: 'up' })
    workspace = workspaceWith(
      config(
        ref.name,
        `        - url: ${server.url}/healthz`,
        `
      on-failure: rollback`
      )
    )
    const { io } = await runVerify({
      workspace: workspace.dir,
      logger: new RecordingLogger(),
      inputs: inputs('ghcr.io/acme/shop:crashy'),
      env: env()
    })

    const report = JSON.parse(io.outputs['report']!)
    const rollout = report.verification.checks.find((c: { type: string }) => c.type === 'rollout')
    expect(rollout.healthy).toBe(false)
    expect(rollout.detail).toMatch(/CrashLoopBackOff|RestartThresholdExceeded/)
    expect(runningImage(ref)).toBe('ghcr.io/acme/shop:v1')
    expect(report.rollback.verification.healthy).toBe(true)
    expect(io.failed).toContain('healthy again')
  })

  it('leaves a workload alone when its recorded promotion is of another commit', async () => {
    const name = `web-${++counter}`
    cluster.sim.create(deploymentManifest({ name, namespace: NAMESPACE, image: 'ghcr.io/acme/shop:v1' }))
    const ref: WorkloadRef = { kind: 'Deployment', name, namespace: NAMESPACE }
    await settle(ref)
    const plan = planSetImage('Deployment', await cluster.api.getWorkload(ref), {
      image: 'ghcr.io/acme/shop:v2',
      promotedAt: new Date(),
      sourceSha: 'f'.repeat(40)
    })
    if (plan.status === 'patch') await cluster.api.patchWorkload(ref, plan.patch)
    server.route('/down', { kind: 'status', code: 500 })
    workspace = workspaceWith(
      config(name, `        - url: ${server.url}/down`, `\n      on-failure: rollback`)
    )
    const { io } = await runVerify({
      workspace: workspace.dir,
      logger: new RecordingLogger(),
      inputs: inputs('ghcr.io/acme/shop:v2'),
      env: env()
    })
    const report = JSON.parse(io.outputs['report']!)
    expect(report.rollback.targets[0]).toMatchObject({ method: 'skipped' })
    expect(report.rollback.targets[0].message).toContain('f'.repeat(40))
    expect(runningImage(ref)).toBe('ghcr.io/acme/shop:v2')
  })
})
