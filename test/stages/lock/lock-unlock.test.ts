import { afterEach, describe, expect, it } from '@jest/globals'
import { tmpdir } from 'node:os'
import type { V1Lease } from '@kubernetes/client-node'
import { createKubeConfig } from '../../../src/kubernetes/api/client-factory.js'
import { KubernetesWorkloadApi } from '../../../src/kubernetes/api/kubernetes-api.js'
import { ConfigurationError, OperationalError } from '../../../src/runtime/errors.js'
import type { InputName } from '../../../src/runtime/action-io.js'
import { RecordingLogger } from '../../../src/runtime/logger.js'
import type { StageContext } from '../../../src/runtime/run-stage.js'
import { readWorkflowContext } from '../../../src/runtime/workflow-context.js'
import { lock } from '../../../src/stages/lock/lock-stage.js'
import { unlock } from '../../../src/stages/lock/unlock-stage.js'
import { acquireEnvironmentLock } from '../../../src/steps/lock/environment-lock.js'
import { FastForwardClock } from '../../support/fast-forward-clock.js'
import { MemoryIO } from '../../support/memory-io.js'
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
} from '../promote/support/promotion-world.js'

const LEASE = 'promote-action.staging'
const REASON = 'rotating the database password'

interface StageRun<T> {
  io: MemoryIO
  logger: RecordingLogger
  result?: T
  error?: unknown
}

describe('lock and unlock: a secret rotation holds the environment lock promotions take', () => {
  let world: PromotionWorld
  afterEach(async () => {
    world.github.assertNoViolations()
    await world.close()
  })

  async function withDeployment(config = environmentConfig()): Promise<void> {
    world = await startPromotionWorld(config)
    world.sim.create(deploymentManifest({ name: 'api', namespace: NAMESPACE, image: OLD }))
    await settle(world.sim, 'deployments', 'api')
  }

  function context(
    inputs: Partial<Record<InputName, string>>,
    options: { runId?: string; attempt?: string; state?: Record<string, string> } = {}
  ): { context: StageContext; io: MemoryIO; logger: RecordingLogger } {
    const io = new MemoryIO({
      environment: 'staging',
      config: 'promotion.yml',
      kubeconfig: world.sim.kubeconfig(),
      ...inputs
    })
    Object.assign(io.state, options.state ?? {})
    const logger = new RecordingLogger()
    const env: NodeJS.ProcessEnv = {
      GITHUB_WORKSPACE: world.workspace,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_RUN_ID: options.runId ?? '5000',
      GITHUB_RUN_ATTEMPT: options.attempt ?? '1',
      GITHUB_SHA: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      RUNNER_TEMP: tmpdir()
    }
    return {
      io,
      logger,
      context: { logger, io, env, workflow: readWorkflowContext(env), signal: new AbortController().signal }
    }
  }

  async function runLock(
    inputs: Partial<Record<InputName, string>> = {},
    options: {
      runId?: string
      attempt?: string
      state?: Record<string, string>
      clock?: FastForwardClock
    } = {}
  ): Promise<StageRun<Awaited<ReturnType<typeof lock>>>> {
    const { context: ctx, io, logger } = context({ reason: REASON, ...inputs }, options)
    const run: StageRun<Awaited<ReturnType<typeof lock>>> = { io, logger }
    try {
      run.result = await lock(ctx, options.clock ? { clock: options.clock } : {})
    } catch (error) {
      run.error = error
    }
    return run
  }

  async function runUnlock(
    options: { runId?: string; attempt?: string } = {}
  ): Promise<StageRun<Awaited<ReturnType<typeof unlock>>>> {
    const { context: ctx, io, logger } = context({}, options)
    const run: StageRun<Awaited<ReturnType<typeof unlock>>> = { io, logger }
    try {
      run.result = await unlock(ctx)
    } catch (error) {
      run.error = error
    }
    return run
  }

  const stored = () => world.sim.get('leases', NAMESPACE, LEASE) as V1Lease

  it('takes the Lease a promotion takes, with the reason and purpose, for hold-for, and exits without renewing', async () => {
    await withDeployment()
    const locked = await runLock({ 'hold-for': '45m' })
    expect(locked.error).toBeUndefined()
    const lease = stored()
    expect(lease.spec).toMatchObject({ holderIdentity: 'acme/shop/5000/1', leaseDurationSeconds: 2700 })
    expect(lease.metadata?.annotations).toEqual({
      'promote-action.io/purpose': 'rotation',
      'promote-action.io/reason': REASON,
      'promote-action.io/run-url': 'https://github.com/acme/shop/actions/runs/5000/attempts/1'
    })
    expect(locked.io.outputs).toMatchObject({
      holder: 'acme/shop/5000/1',
      leases: JSON.stringify([`default/${NAMESPACE}/${LEASE}`])
    })
    const expiresAt = Date.parse(locked.io.outputs['expires-at']!)
    expect(expiresAt - Date.now()).toBeGreaterThan(44 * 60_000)
    expect(locked.io.summary).toContain(`**Reason:** ${REASON}`)
    // No renewal after the step: the Lease is written once.
    const writes = world.sim.writeLog.filter((w) => w.resource === 'leases').length
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(world.sim.writeLog.filter((w) => w.resource === 'leases')).toHaveLength(writes)
    // The post step's state names the Lease, so the job's end releases it if unlock is forgotten.
    expect(JSON.parse(locked.io.state['lock-held']!)).toEqual([
      expect.objectContaining({ namespace: NAMESPACE, name: LEASE, holder: 'acme/shop/5000/1' })
    ])
  })

  it('makes a concurrent promotion wait, showing the reason, which proceeds once unlock runs', async () => {
    await withDeployment()
    expect((await runLock()).error).toBeUndefined()
    const promotion = world.inProcess({ image: NEW }, { runId: '5001' })
    const waiting = async () => {
      for (;;) {
        const unlocked = world.sim.writeLog.some((w) => w.resource === 'deployments' && w.verb === 'patch')
        if (unlocked) throw new Error('the promotion patched while the rotation held the lock')
        const lease = stored()
        if (lease.spec?.holderIdentity !== 'acme/shop/5000/1') throw new Error('the lock changed hands')
        await new Promise((resolve) => setTimeout(resolve, 50))
        if (Date.now() - started > 1500) return
      }
    }
    const started = Date.now()
    await waiting()
    const unlocked = await runUnlock()
    expect(unlocked.error).toBeUndefined()
    expect(unlocked.io.outputs['released']).toBe('true')
    const run = await promotion
    expect(run.error).toBeUndefined()
    expect(run.report?.result).toBe('success')
    expect(run.logger.messages('info').join('\n')).toContain(
      `Waiting for the lock ${NAMESPACE}/${LEASE} in cluster default: held by acme/shop/5000/1 (https://github.com/acme/shop/actions/runs/5000/attempts/1) for a secret rotation: ${REASON}`
    )
    expect(imageOf(world.sim, 'deployments', 'api')).toBe(NEW)
    // The promotion took over the released Lease and wrote its own purpose, without the rotation's reason.
    const leaseWrites = world.sim.writeLog.filter((w) => w.resource === 'leases' && w.verb === 'update')
    expect(leaseWrites.length).toBeGreaterThan(1)
    expect(stored().metadata?.annotations?.['promote-action.io/purpose']).toBe('promotion')
    expect(stored().metadata?.annotations?.['promote-action.io/reason']).toBeUndefined()
  })

  it("a dead rotation's lock expires: a promotion takes it over hold-for after first seeing it", async () => {
    await withDeployment()
    expect((await runLock({ 'hold-for': '10m', 'unlock-at-job-end': 'false' })).error).toBeUndefined()
    // The rotation's runner dies: no unlock, no post step. A promotion waits in line for up to 15m.
    const clock = new FastForwardClock()
    const logger = new RecordingLogger()
    const started = clock.now()
    const promotionLock = await acquireEnvironmentLock({
      environmentName: 'staging',
      targets: [
        {
          cluster: { name: 'default', credentials: 'input' },
          api: new KubernetesWorkloadApi(
            createKubeConfig({ kubeconfig: world.sim.kubeconfig(), env: {} }).kubeConfig
          ),
          namespace: NAMESPACE
        }
      ],
      workflow: context({}, { runId: '5002' }).context.workflow,
      leaseDurationMs: 3000,
      timeoutMs: 15 * 60_000,
      clock,
      logger,
      signal: new AbortController().signal,
      onAcquired: () => undefined
    })
    const waited = clock.now() - started
    expect(waited).toBeGreaterThanOrEqual(10 * 60_000)
    expect(waited).toBeLessThan(11 * 60_000)
    expect(logger.messages('info').join('\n')).toContain(`for a secret rotation: ${REASON}`)
    expect(stored().spec).toMatchObject({ holderIdentity: 'acme/shop/5002/1', leaseTransitions: 1 })
    await promotionLock.release()
    // unlock by the dead rotation's run (had it come back) finds nothing of its own.
    const late = await runUnlock()
    expect(late.io.outputs['released']).toBe('false')
  })

  it('refuses every bad input at once, with what was expected', async () => {
    await withDeployment()
    const { error } = await runLock({
      reason: 'line one\nline two',
      'hold-for': '10s',
      'lock-timeout': 'soon',
      'unlock-at-job-end': 'maybe'
    })
    expect(error).toBeInstanceOf(ConfigurationError)
    const problems = (error as ConfigurationError).problems.map((p) => `${p.path}: ${p.expected}`)
    expect(problems).toEqual([
      'input reason: one line (it is shown in the log of every promotion that waits)',
      expect.stringMatching(/^input hold-for: a duration from 1m to 24h: /),
      'input lock-timeout: a duration such as 30s, 5m, 1h30m or 250ms',
      'input unlock-at-job-end: true or false'
    ])
    expect(world.sim.writeLog.filter((w) => w.resource === 'leases')).toEqual([])

    const missing = await runLock({ reason: '', environment: '', 'hold-for': '25h' })
    expect((missing.error as ConfigurationError).problems.map((p) => p.path)).toEqual([
      'input environment',
      'input reason',
      'input hold-for'
    ])
    const long = await runLock({ reason: 'x'.repeat(301) })
    expect((long.error as ConfigurationError).message).toContain(
      'input reason: 301 characters; expected at most 300 characters'
    )
    const unknown = await runUnlock()
    expect(unknown.error).toBeUndefined()
  })

  it('refuses an environment whose promotions take no lock', async () => {
    await withDeployment(environmentConfig({ extra: '' }).replace('lock:\n', 'lock:\n      enabled: false\n'))
    const disabled = await runLock()
    expect((disabled.error as ConfigurationError).problems).toEqual([
      expect.objectContaining({
        path: expect.stringMatching(/environments\.staging\.lock\.enabled$/),
        expected: expect.stringContaining('promotions take no lock')
      })
    ])
    const unlockDisabled = await runUnlock()
    expect(unlockDisabled.error).toBeInstanceOf(ConfigurationError)
  })

  it('locks a GitOps environment in its namespace, where its promotions take the Lease', async () => {
    world = await startPromotionWorld(`
version: 1
environments:
  staging:
    mode: gitops
    namespace: ${NAMESPACE}
    gitops:
      path: deploy/staging/kustomization.yaml
      image-name: api
`)
    const locked = await runLock()
    expect(locked.error).toBeUndefined()
    expect(stored().spec?.holderIdentity).toBe('acme/shop/5000/1')
    expect((await runUnlock()).io.outputs['released']).toBe('true')
  })

  it('the post step releases a lock the workflow forgot to unlock, and leaves alone one unlock released', async () => {
    await withDeployment()
    const forgot = await runLock()
    const post = await runLock({}, { state: forgot.io.state })
    expect(post.error).toBeUndefined()
    expect(post.result).toBeUndefined()
    expect(stored().spec?.holderIdentity).toBe('')
    expect(post.logger.messages('warning').join('\n')).toContain('did not run promote-action/unlock')

    const tidy = await runLock({}, { runId: '5003' })
    expect((await runUnlock({ runId: '5003' })).io.outputs['released']).toBe('true')
    const again = await runLock({}, { runId: '5003', state: tidy.io.state })
    expect(again.logger.messages('warning')).toEqual([])
    expect(again.logger.messages('info').join('\n')).toContain('is no longer ours; nothing to release')
  })

  it('unlock-at-job-end: false leaves nothing for the post step; unlock from a re-run attempt releases it', async () => {
    await withDeployment()
    const locked = await runLock({ 'unlock-at-job-end': 'false' }, { runId: '5004' })
    expect(locked.io.state['lock-held']).toBeUndefined()
    await runLock({}, { runId: '5004', state: locked.io.state })
    expect(stored().spec?.holderIdentity).toBe('acme/shop/5004/1')
    // "Re-run failed jobs": the unlock job runs as attempt 2 of the same run.
    const unlocked = await runUnlock({ runId: '5004', attempt: '2' })
    expect(unlocked.io.outputs['released']).toBe('true')
    expect(stored().spec?.holderIdentity).toBe('')
  })

  it('unlock warns, and releases nothing, when the lock expired and another run took it', async () => {
    await withDeployment()
    await runLock({}, { runId: '5005' })
    const lease = stored()
    // As a promotion taking the expired Lease writes it.
    lease.spec = { ...lease.spec, holderIdentity: 'acme/shop/6000/1' }
    lease.metadata!.annotations = { 'promote-action.io/purpose': 'promotion' }
    world.sim.update(lease as never)
    const unlocked = await runUnlock({ runId: '5005' })
    expect(unlocked.io.outputs['released']).toBe('false')
    expect(unlocked.logger.messages('warning').join('\n')).toContain(
      'is held by acme/shop/6000/1 (https://github.com/acme/shop/actions/runs/6000/attempts/1), not by this run'
    )
    expect(stored().spec?.holderIdentity).toBe('acme/shop/6000/1')
  })

  it('a second rotation waits for the first, and times out naming it and its reason', async () => {
    await withDeployment()
    await runLock({}, { runId: '5006' })
    const second = await runLock({ reason: 'rotating the API key', 'lock-timeout': '1s' }, { runId: '5007' })
    expect(second.error).toBeInstanceOf(OperationalError)
    expect((second.error as Error).message).toBe(
      `Timed out after 1s waiting for the lock of staging, held by acme/shop/5006/1 (https://github.com/acme/shop/actions/runs/5006/attempts/1) for a secret rotation: ${REASON}. Raise lock-timeout or retry when that run ends.`
    )
  })

  it('a promotion in the run that holds the rotation lock is refused instead of ending the lock', async () => {
    await withDeployment()
    await runLock({}, { runId: '5008' })
    const run = await world.inProcess({ image: NEW }, { runId: '5008' })
    expect(run.error).toBeInstanceOf(OperationalError)
    expect((run.error as Error).message).toContain(
      `This run holds the lock of staging for a secret rotation: ${REASON}; a promotion cannot run inside its own rotation`
    )
    expect(imageOf(world.sim, 'deployments', 'api')).toBe(OLD)
    expect(stored().spec).toMatchObject({ holderIdentity: 'acme/shop/5008/1', leaseDurationSeconds: 1800 })
  })
})
