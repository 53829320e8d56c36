/**
 * Every bundle in dist/ runs when launched as the runner launches it (INPUT_*, GITHUB_OUTPUT,
 * GITHUB_STATE, the post step with its saved state), against the demo's simulated environment.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { demoConfig } from '../../demo/demo-config.js'
import { imageOf, SHA, startDemoWorld, type DemoWorld } from '../../demo/demo-world.js'
import { launchAction, type BundleName, type LaunchResult } from '../../simulator/runner/launch-action.js'

describe('bundles launched as the runner launches them', () => {
  let world: DemoWorld
  let runs = 0
  beforeAll(async () => {
    world = await startDemoWorld(demoConfig)
  })
  afterAll(async () => {
    world.github.assertNoViolations()
    await world.close()
  })

  function launch(
    bundle: BundleName,
    inputs: Record<string, string>,
    state?: Record<string, string>
  ): Promise<LaunchResult> {
    return launchAction({
      bundle,
      cwd: world.workspace,
      inputs: {
        'github-token': world.github.token,
        kubeconfig: world.kubernetes.kubeconfig(),
        config: '.github/promotion.yml',
        ...inputs
      },
      env: {
        GITHUB_API_URL: world.github.url,
        GITHUB_REPOSITORY: 'acme/shop',
        GITHUB_SHA: SHA.release,
        GITHUB_RUN_ID: String(9100 + ++runs)
      },
      ...(state ? { state } : {})
    })
  }

  it('the root action with stage: all gates, promotes and verifies, and its post step releases the lock', async () => {
    const main = await launch('main', { stage: 'all', environment: 'development', sha: SHA.release })
    expect(main.exitCode).toBe(0)
    expect(main.outputs).toMatchObject({
      passed: 'true',
      result: 'success',
      healthy: 'true',
      'rolled-back': 'false'
    })
    expect(main.outputs['image']).toBe(imageOf(SHA.release))
    const deploymentId = Number(main.outputs['deployment-id'])
    expect(world.github.state.deploymentStatuses[deploymentId]!.at(-1)!.state).toBe('success')
    expect(world.runningImage('shop-dev')).toBe(imageOf(SHA.release))
    expect(main.state['isPost']).toBe('true')
    // The lock is held through verify (which may roll back): released after the last health probe.
    const leaseWrites = world.kubernetes.writeLog.filter(
      (w) => w.resource === 'leases' && w.name === 'promote-action.development'
    )
    const lastProbe = world.health.requests('/dev/healthz').at(-1)!
    expect(leaseWrites.at(-1)!.time).toBeGreaterThanOrEqual(lastProbe.at)
    expect(main.stdout.indexOf('Released the lock')).toBeGreaterThan(main.stdout.lastIndexOf('healthz'))

    const post = await launch(
      'main',
      { stage: 'all', environment: 'development', sha: SHA.release },
      main.state
    )
    expect(post.exitCode).toBe(0)
    const lease = world.kubernetes.get('leases', 'shop-dev', 'promote-action.development') as {
      spec: { holderIdentity?: string }
    }
    expect(lease.spec.holderIdentity ?? '').toBe('')
  })

  it('the gate bundle passes a commit whose required checks succeeded and reports a check run', async () => {
    const gate = await launch('gate', { environment: 'staging', sha: SHA.release })
    expect(gate.exitCode).toBe(0)
    expect(gate.outputs['passed']).toBe('true')
    const run = world.github.state.checkRuns.find((c) => String(c.id) === gate.outputs['check-run-id'])
    expect(run).toMatchObject({ name: 'promotion gates (staging)', conclusion: 'success' })
    expect(gate.summary).toContain('Promotion gates passed for staging')
  })

  it('the verify bundle finds development healthy on the promoted version', async () => {
    const verify = await launch('verify', { environment: 'development', sha: SHA.release })
    expect(verify.exitCode).toBe(0)
    expect(verify.outputs['healthy']).toBe('true')
    expect(JSON.parse(verify.outputs['latencies']!)).toHaveProperty('healthz')
  })

  // Last in this file: it re-routes staging's health endpoint.
  it('stage: all stops verify without rolling back when the lock is lost during verify', async () => {
    let stolen = false
    world.health.route('/staging/healthz', {
      kind: 'version',
      version: () => {
        if (!stolen) {
          stolen = true
          // Another run takes the Lease while verify probes (ours is then not renewed).
          const lease = world.kubernetes.get('leases', 'shop-staging', 'promote-action.staging') as {
            spec: { holderIdentity: string; renewTime: string; leaseDurationSeconds: number }
          }
          lease.spec.holderIdentity = 'acme/shop/777/1'
          lease.spec.renewTime = new Date().toISOString().replace('Z', '000Z')
          lease.spec.leaseDurationSeconds = 60
          world.kubernetes.update(lease)
        }
        return 'not-the-promoted-version' // unhealthy: verify would roll back at its deadline
      }
    })
    const main = await launch('main', { stage: 'all', environment: 'staging', sha: SHA.release })
    expect(main.exitCode).not.toBe(0)
    expect(main.stdout).toMatch(/::error title=Promotion lock lost::.*now held by acme\/shop\/777\/1/)
    expect(world.runningImage('shop-staging')).toBe(imageOf(SHA.release))
    const lease = world.kubernetes.get('leases', 'shop-staging', 'promote-action.staging') as {
      spec: { holderIdentity: string }
    }
    expect(lease.spec.holderIdentity).toBe('acme/shop/777/1')
  })
})
