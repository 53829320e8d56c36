import { afterEach, describe, expect, it } from '@jest/globals'
import { getOctokit } from '@actions/github'
import { RecordingLogger } from '../../../src/runtime/logger.js'
import { runStage } from '../../../src/runtime/run-stage.js'
import { verifyStage } from '../../../src/stages/verify/verify-stage.js'
import { MemoryIO } from '../../support/memory-io.js'
import {
  CRASH,
  gitOpsConfig,
  KUSTOMIZATION,
  NEW,
  OLD,
  PATH,
  SHA,
  startGitOpsWorld,
  type GitOpsWorld
} from '../../steps/gitops/support/gitops-world.js'

let world: GitOpsWorld | undefined
afterEach(async () => {
  world?.github.assertNoViolations()
  await world?.close()
  world = undefined
})

/** The promote stage opens the pull request; a person merges it later; then verify runs (e.g. on the manifests repository's push). */
async function promoteAndMerge(
  w: GitOpsWorld,
  image: string
): Promise<{ deploymentId: number; merged: string }> {
  w.writeConfig(gitOpsConfig(undefined, { merge: 'manual' }))
  const promoted = await w.promote({ inputs: { image } })
  expect(promoted.io.outputs['result']).toBe('pull-request-opened')
  const octokit = getOctokit(w.github.token, { baseUrl: w.github.url })
  const merged = await octokit.rest.pulls.merge({ owner: 'acme', repo: 'shop', pull_number: 1 })
  return { deploymentId: Number(promoted.io.outputs['deployment-id']), merged: merged.data.sha }
}

async function verify(w: GitOpsWorld, inputs: Record<string, string> = {}) {
  const io = new MemoryIO({
    environment: 'staging',
    config: 'promotion.yml',
    sha: SHA,
    kubeconfig: w.sim.kubeconfig(),
    'github-token': w.github.token,
    ...inputs
  })
  const logger = new RecordingLogger()
  await runStage((context) => verifyStage(context), {
    logger,
    io,
    env: {
      GITHUB_WORKSPACE: w.workspace,
      GITHUB_SHA: SHA,
      GITHUB_RUN_ID: '99',
      GITHUB_API_URL: w.github.url,
      GITHUB_REPOSITORY: 'acme/shop'
    }
  })
  return { io, logger, report: JSON.parse(io.outputs['report'] ?? '{}') }
}

const lastStatus = (w: GitOpsWorld, id: number) => w.github.state.deploymentStatuses[id]!.at(-1)!

describe('verify stage for a GitOps environment', () => {
  it('waits for Argo CD to sync the merged pull request and report Healthy, then closes the record as success', async () => {
    world = await startGitOpsWorld()
    world.followMain()
    const { deploymentId, merged } = await promoteAndMerge(world, NEW)
    expect(lastStatus(world, deploymentId).state).toBe('queued')
    const { io, report } = await verify(world, { image: NEW })
    expect(io.failed).toBeUndefined()
    expect(io.outputs['healthy']).toBe('true')
    expect(report.verification.checks[0]).toMatchObject({
      name: `Argo CD Application argocd/web at ${merged.slice(0, 7)}`,
      type: 'gitops-sync',
      healthy: true
    })
    expect(report.verification.checks[0].detail).toContain(`1 target(s) rolled out on ${NEW}`)
    expect(lastStatus(world, deploymentId).state).toBe('success')
  })

  it('with on-failure: rollback, reverts the merged commit and waits for the revert to sync', async () => {
    world = await startGitOpsWorld()
    world.followMain()
    const { deploymentId, merged } = await promoteAndMerge(world, CRASH)
    // The revert goes the way the environment delivers: a pull request, merged at once.
    world.writeConfig(gitOpsConfig())
    const { io, report } = await verify(world, { image: CRASH, 'on-failure': 'rollback' })
    expect(io.failed).toContain('CrashLoopBackOff')
    expect(report.healthy).toBe(false)
    expect(report.rollback.targets[0]).toMatchObject({
      target: `acme/shop:${PATH}`,
      method: 'revert',
      rollout: 'succeeded'
    })
    expect(report.rollback.verification.healthy).toBe(true)
    expect(world.git('rev-parse', 'main^')).toBe(merged)
    expect(world.git('show', `main:${PATH}`)).toBe(KUSTOMIZATION.replace(/\r\n$/, '\r'))
    const image = (
      world.sim.get('deployments', 'shop', 'api') as {
        spec: { template: { spec: { containers: Array<{ image: string }> } } }
      }
    ).spec.template.spec.containers[0]!.image
    expect(image).toBe(OLD)
    expect(lastStatus(world, deploymentId)).toMatchObject({ state: 'failure' })
    expect(lastStatus(world, deploymentId).description).toMatch(/^Unhealthy, rolled back \(healthy again\)/)
  })

  it('says the pull request is not merged yet, and does not call the environment healthy', async () => {
    world = await startGitOpsWorld(gitOpsConfig(undefined, { merge: 'manual' }))
    const promoted = await world.promote()
    const { io, report } = await verify(world, { image: NEW })
    expect(io.outputs['healthy']).toBe('false')
    expect(report.verification.checks[0].detail).toMatch(
      /^pull request #1 \(.+\) is not merged yet: nothing is on main to sync$/
    )
    const id = Number(promoted.io.outputs['deployment-id'])
    expect(lastStatus(world, id).state).toBe('failure')
  })

  it('refuses on-failure: rollback for a GitOps environment without gitops.sync, before anything runs', async () => {
    world = await startGitOpsWorld(gitOpsConfig('{}').replace(/\n\s+sync:\s*\{\}\n/, '\n'))
    const { io, logger } = await verify(world, { image: NEW, 'on-failure': 'rollback' })
    expect(io.failed).toContain('Configuration error')
    const problems = logger
      .annotations('error')
      .map((a) => a.message)
      .join('\n')
    expect(problems).toContain('environments.staging.gitops.sync')
    expect(problems).toContain("on-failure: rollback in gitops mode reverts the promotion's commit")
    expect(
      world.sim.requestLog.filter((r) => r.path.includes('/applications') && r.method === 'PATCH')
    ).toEqual([])
  })
})
