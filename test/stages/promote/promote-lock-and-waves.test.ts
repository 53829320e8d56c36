import { afterEach, describe, expect, it } from '@jest/globals'
import { startKubernetesSimulator } from '../../../simulator/kubernetes/index.js'
import type { KubernetesSimulator } from '../../../simulator/kubernetes/simulator-types.js'
import { deploymentManifest } from '../../kubernetes/support/fixtures.js'
import {
  environmentConfig,
  imageOf,
  NAMESPACE,
  NEW,
  OLD,
  settle,
  startPromotionWorld,
  type PromotionWorld
} from './support/promotion-world.js'

const LEASE = 'promote-action.staging'

function twoClusterKubeconfig(a: KubernetesSimulator, b: KubernetesSimulator): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: a
  cluster: { server: "${a.url}", insecure-skip-tls-verify: true }
- name: b
  cluster: { server: "${b.url}", insecure-skip-tls-verify: true }
users:
- name: a
  user: { token: "${a.token}" }
- name: b
  user: { token: "${b.token}" }
contexts:
- name: a
  context: { cluster: a, user: a }
- name: b
  context: { cluster: b, user: b }
current-context: a
`
}

describe('promote stage: lock, cancellation, waves', () => {
  let world: PromotionWorld
  const extra: KubernetesSimulator[] = []
  afterEach(async () => {
    world.github.assertNoViolations()
    await world.close()
    await Promise.all(extra.splice(0).map((s) => s.close()))
  })

  async function withDeployment(config = environmentConfig()): Promise<void> {
    world = await startPromotionWorld(config)
    world.sim.create(deploymentManifest({ name: 'api', namespace: NAMESPACE, image: OLD }))
    await settle(world.sim, 'deployments', 'api')
  }

  it('a second concurrent run waits for the lock, then proceeds; their writes never overlap', async () => {
    await withDeployment()
    world.sim.setImageBehaviour(NEW, { kind: 'ready', delayMs: 400 })
    const first = world.launch({ image: NEW }, { runId: '1001' })
    await new Promise((r) => setTimeout(r, 700))
    const second = world.launch({ image: `${NEW.replace('2.0.0', '3.0.0')}` }, { runId: '1002' })
    const [a, b] = await Promise.all([first, second])
    expect(a.exitCode).toBe(0)
    expect(b.exitCode).toBe(0)
    expect(b.stdout).toMatch(
      /Waiting for the lock .*held by acme\/shop\/1001\/1 \(https:\/\/github.com\/acme\/shop\/actions\/runs\/1001\/attempts\/1\)/
    )
    const patches = world.sim.writeLog.filter((w) => w.resource === 'deployments' && w.verb === 'patch')
    expect(patches).toHaveLength(2)
    const leaseWrites = world.sim.writeLog.filter((w) => w.resource === 'leases')
    // Run 1's release comes after its patch and before run 2's patch.
    const release1 = leaseWrites.filter((w) => w.time >= patches[0]!.time)[0]!
    expect(release1.time).toBeLessThanOrEqual(patches[1]!.time)
    expect(imageOf(world.sim, 'deployments', 'api')).toBe(NEW.replace('2.0.0', '3.0.0'))
  })

  it("takes over a dead holder's lease once it expires", async () => {
    await withDeployment()
    const now = new Date()
      .toISOString()
      .replace('Z', '000Z')
      .replace(/\.(\d{3})000Z$/, '.$1000Z')
    world.sim.create({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: LEASE, namespace: NAMESPACE },
      spec: {
        holderIdentity: 'acme/shop/999/1',
        leaseDurationSeconds: 2,
        acquireTime: now,
        renewTime: now,
        leaseTransitions: 0
      }
    })
    const main = await world.launch({ image: NEW })
    expect(main.exitCode).toBe(0)
    expect(main.stdout).toContain('held by acme/shop/999/1')
    const lease = world.sim.get('leases', NAMESPACE, LEASE) as {
      spec: { leaseTransitions: number; holderIdentity: string }
    }
    expect(lease.spec.leaseTransitions).toBe(1)
    expect(lease.spec.holderIdentity).toBe('')
  })

  it("closes a dead runner's in-progress Deployment as error instead of waiting on it", async () => {
    await withDeployment()
    const dead = world.github.addDeployment({
      environment: 'staging',
      sha: 'f'.repeat(40),
      payload: { tool: 'promote-action', run_id: '999', run_attempt: '1' },
      statuses: [{ state: 'in_progress' }]
    })
    const run = await world.inProcess({ image: NEW })
    expect(run.error).toBeUndefined()
    expect(run.report?.result).toBe('success')
    expect(world.github.state.deploymentStatuses[dead.id]!.map((s) => s.state)).toEqual([
      'in_progress',
      'error'
    ])
    expect(run.logger.messages('warning').join('\n')).toContain(
      `Deployment ${dead.id} of staging is still in_progress`
    )
  })

  it("waits while another tool's Deployment of the environment is in progress, then proceeds", async () => {
    await withDeployment()
    const other = world.github.addDeployment({
      environment: 'staging',
      sha: 'e'.repeat(40),
      payload: { deployer: 'another-tool' },
      statuses: [{ state: 'in_progress' }]
    })
    const finished = new Promise<void>((resolve) =>
      setTimeout(() => {
        world.github.state.deploymentStatuses[other.id]!.push({
          ...world.github.state.deploymentStatuses[other.id]![0]!,
          id: 999_999,
          state: 'success'
        })
        resolve()
      }, 300)
    )
    const run = await world.inProcess({ image: NEW }, { services: { deploymentPollMs: 50 } })
    await finished
    expect(run.error).toBeUndefined()
    expect(run.logger.messages('info').join('\n')).toContain(
      `Waiting for another promotion of staging to finish: deployment ${other.id}`
    )
    expect(run.report?.result).toBe('success')
  })

  it('fails saying who holds the lock when it times out', async () => {
    await withDeployment(environmentConfig().replace('timeout: 30s', 'timeout: 1s'))
    const now = new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z')
    world.sim.create({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: LEASE, namespace: NAMESPACE },
      spec: {
        holderIdentity: 'acme/shop/999/1',
        leaseDurationSeconds: 600,
        acquireTime: now,
        renewTime: now,
        leaseTransitions: 0
      }
    })
    const main = await world.launch({ image: NEW })
    expect(main.exitCode).not.toBe(0)
    expect(main.stdout).toMatch(
      /Timed out after 1s waiting for the promotion lock of staging, held by acme\/shop\/999\/1/
    )
    expect(imageOf(world.sim, 'deployments', 'api')).toBe(OLD)
  })

  it('cancelled mid-rollout: rolls back, marks the Deployment error, releases the lock', async () => {
    await withDeployment()
    world.sim.setImageBehaviour(NEW, { kind: 'never-ready' })
    const main = await world.launch({ image: NEW }, { cancelWhen: /set app=ghcr.io\/acme\/api:2.0.0/ })
    expect(main.exitCode).not.toBe(0)
    expect(imageOf(world.sim, 'deployments', 'api')).toBe(OLD)
    const id = Number(main.outputs['deployment-id'])
    expect(world.github.state.deploymentStatuses[id]!.map((s) => s.state)).toEqual(['in_progress', 'error'])
    const lease = world.sim.get('leases', NAMESPACE, LEASE) as { spec: { holderIdentity: string } }
    expect(lease.spec.holderIdentity).toBe('')
    const post = await world.post(main)
    expect(post.exitCode).toBe(0)
  })

  it('losing the lock mid-rollout stops the promotion without rolling back over the new holder', async () => {
    await withDeployment()
    world.sim.setImageBehaviour(NEW, { kind: 'never-ready' })
    const running = world.inProcess({ image: NEW })
    while (imageOf(world.sim, 'deployments', 'api') !== NEW) await new Promise((r) => setTimeout(r, 20))
    // Another run takes the Lease (as if ours had not been renewed in time).
    const lease = world.sim.get('leases', NAMESPACE, LEASE) as {
      spec: { holderIdentity: string; renewTime: string; leaseDurationSeconds: number }
    }
    lease.spec.holderIdentity = 'acme/shop/777/1'
    lease.spec.renewTime = new Date().toISOString().replace('Z', '000Z')
    lease.spec.leaseDurationSeconds = 30
    world.sim.update(lease)
    const stolenAt = world.sim.writeLog.length
    const run = await running
    const error = run.error as { message: string; details?: { title?: string } }
    expect(error.message).toContain('now held by acme/shop/777/1')
    expect(error.message).toContain('without rolling back')
    expect(error.details?.title).toBe('Promotion lock lost')
    // Nothing of ours written after the loss: no rollback, no release over the new holder.
    expect(world.sim.writeLog.slice(stolenAt)).toEqual([])
    expect(imageOf(world.sim, 'deployments', 'api')).toBe(NEW)
    const after = world.sim.get('leases', NAMESPACE, LEASE) as { spec: { holderIdentity: string } }
    expect(after.spec.holderIdentity).toBe('acme/shop/777/1')
    expect(run.io.outputs['result']).toBe('failure')
    expect(run.io.outputs['rolled-back']).toBe('false')
    const id = Number(run.io.outputs['deployment-id'])
    expect(world.github.state.deploymentStatuses[id]!.at(-1)!.state).toBe('error')
  })

  it('the post step releases the lease and closes the Deployment when main was killed', async () => {
    await withDeployment()
    world.sim.setImageBehaviour(NEW, { kind: 'never-ready' })
    // SIGKILL once the patch is sent: main gets no chance to clean up.
    const main = await world.launch({ image: NEW }, { killWhen: /deployment\/api: set app=/ })
    expect(main.signal).toBe('SIGKILL')
    const post = await world.post(main)
    expect(post.exitCode).toBe(0)
    expect(post.stdout).toContain('Released the promotion lock')
    const id = Number(main.state['deployment-id'])
    expect(world.github.state.deploymentStatuses[id]!.map((s) => s.state)).toEqual(['in_progress', 'error'])
    const lease = world.sim.get('leases', NAMESPACE, LEASE) as { spec: { holderIdentity: string } }
    expect(lease.spec.holderIdentity).toBe('')
  })

  it('the post step after a killed main step says what is left where and rolls it back', async () => {
    await withDeployment()
    world.sim.setImageBehaviour(NEW, { kind: 'never-ready' })
    const main = await world.launch({ image: NEW }, { killWhen: /deployment\/api: set app=/ })
    expect(main.signal).toBe('SIGKILL')
    expect(imageOf(world.sim, 'deployments', 'api')).toBe(NEW)
    const post = await world.post(main)
    expect(post.exitCode).toBe(0)
    expect(post.stdout).toContain(
      `${'default'}/${NAMESPACE}/deployment/api: left on the promoted image (app=${NEW}); rolled back`
    )
    expect(post.summary).toContain(`## Promotion of ${NEW}: interrupted`)
    expect(imageOf(world.sim, 'deployments', 'api')).toBe(OLD)
    const id = Number(main.state['deployment-id'])
    const last = world.github.state.deploymentStatuses[id]!.at(-1)!
    expect(last).toMatchObject({ state: 'error' })
    expect(last.description).toContain('rolled back 1 target(s)')
    const lease = world.sim.get('leases', NAMESPACE, LEASE) as { spec: { holderIdentity: string } }
    expect(lease.spec.holderIdentity).toBe('')
  })

  it('waves: a failure in wave 2 stops and rolls back what wave 1 changed', async () => {
    const second = await startKubernetesSimulator({ namespaces: [NAMESPACE], controllerTickMs: 2 })
    extra.push(second)
    const clusters = `    clusters:
      - name: east
        context: a
        wave: 1
      - name: west
        context: b
        wave: 2`
    world = await startPromotionWorld(environmentConfig({ clusters }))
    for (const sim of [world.sim, second]) {
      sim.create(deploymentManifest({ name: 'api', namespace: NAMESPACE, image: OLD }))
      await settle(sim, 'deployments', 'api')
    }
    second.setImageBehaviour(NEW, { kind: 'image-pull-backoff', afterMs: 10 })
    const main = await world.launch({ image: NEW, kubeconfig: twoClusterKubeconfig(world.sim, second) })
    if (main.outputs['result'] !== 'rolled-back') console.log(main.stdout)
    expect(main.exitCode).not.toBe(0)
    expect(main.outputs['result']).toBe('rolled-back')
    expect(imageOf(world.sim, 'deployments', 'api')).toBe(OLD)
    expect(imageOf(second, 'deployments', 'api')).toBe(OLD)
    // Wave 1 had completed before wave 2 started.
    const firstPatch = world.sim.writeLog.find((w) => w.resource === 'deployments' && w.verb === 'patch')!
    const secondPatch = second.writeLog.find((w) => w.resource === 'deployments' && w.verb === 'patch')!
    expect(firstPatch.time).toBeLessThan(secondPatch.time)
    expect(main.summary).toContain('| east | shop | deployment/api |')
    expect(main.summary).toContain('| west | shop | deployment/api |')
  })
})
