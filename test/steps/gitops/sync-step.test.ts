import { afterEach, describe, expect, it } from '@jest/globals'
import {
  CRASH,
  gitOpsConfig,
  KUSTOMIZATION,
  NEW,
  PATH,
  startGitOpsWorld,
  type GitOpsWorld
} from './support/gitops-world.js'

let world: GitOpsWorld | undefined
afterEach(async () => {
  world?.github.assertNoViolations()
  await world?.close()
  world = undefined
})

const statuses = (w: GitOpsWorld, id: number) => w.github.state.deploymentStatuses[id]!.map((s) => s.state)
const imageOf = (w: GitOpsWorld) =>
  (
    w.sim.get('deployments', 'shop', 'api') as {
      spec: { template: { spec: { containers: Array<{ image: string }> } } }
    }
  ).spec.template.spec.containers[0]!.image

describe('the sync step of a GitOps promotion', () => {
  it('waits for Argo CD to sync the merge commit and report Healthy, and closes the record as success', async () => {
    world = await startGitOpsWorld()
    world.followMain()
    const { io, logger, run, error } = await world.promote()
    expect(error).toBeUndefined()
    const merged = world.git('rev-parse', 'main')
    expect(run.gitops?.deliveredSha).toBe(merged)
    expect(io.outputs['result']).toBe('synced')
    const id = Number(io.outputs['deployment-id'])
    expect(statuses(world, id)).toEqual(['in_progress', 'success'])
    expect(world.github.state.deploymentStatuses[id]!.at(-1)!.description).toBe(
      `Synced ${merged.slice(0, 7)} and healthy: ${NEW}`
    )
    expect(imageOf(world)).toBe(NEW)
    const log = logger.messages('info')
    expect(log).toContain('Argo CD Application argocd/web: refresh requested')
    expect(log).toContain(`Argo CD Application argocd/web: Synced at ${merged.slice(0, 7)} and Healthy`)
    expect(io.summary).toContain('### Sync: ✅ Argo CD Application argocd/web (cluster default)')
    // The payload tells a later verify what was delivered where.
    const deployment = world.github.state.deployments.find((d) => d.id === id)!
    expect(deployment.payload).toMatchObject({
      gitops: { repository: 'acme/shop', base: 'main', branch: 'promote/staging-a1b2c3d', files: [PATH] }
    })
  })

  it('reverts the commit when the new pods crash, waits for the revert to sync, and closes the record as failure', async () => {
    world = await startGitOpsWorld()
    world.followMain()
    const { io, run, error } = await world.promote({ inputs: { image: CRASH } })
    expect(error).toMatchObject({ name: 'OperationalError' })
    expect((error as Error).message).toContain('CrashLoopBackOff')
    expect((error as Error).message).toContain('healthy again')
    const delivered = run.gitops!.deliveredSha!
    // A new commit on main restores the file byte for byte (CRLF, comments); history is kept.
    expect(world.git('rev-parse', 'main^')).toBe(delivered)
    expect(world.git('show', `main:${PATH}`)).toBe(KUSTOMIZATION.replace(/\r\n$/, '\r'))
    expect(world.git('log', '-1', '--format=%s', 'main')).toMatch(
      /^Merge pull request #2 from acme\/promote\/staging-revert-a1b2c3d/
    )
    expect(world.git('log', '-1', '--format=%s', 'main^2')).toBe(
      `Revert the promotion of ${CRASH} to staging`
    )
    expect(io.outputs['result']).toBe('rolled-back')
    const id = Number(io.outputs['deployment-id'])
    expect(statuses(world, id)).toEqual(['in_progress', 'failure'])
    expect(world.github.state.deploymentStatuses[id]!.at(-1)!.description).toMatch(
      /^Sync failed, reverted in [0-9a-f]{7}, healthy again: /
    )
    // The cluster was never patched by the action: Argo CD applied the revert.
    expect(imageOf(world)).toBe('ghcr.io/acme/api:1.0.0')
    const actionPatches = world.sim.writeLog.filter((w) => w.resource === 'deployments' && w.verb === 'patch')
    expect(actionPatches).toHaveLength(2)
    expect(io.summary).toContain('Revert')
  })

  it('leaves the wait to verify while the pull request awaits its merge: the record stays queued', async () => {
    world = await startGitOpsWorld(gitOpsConfig(undefined, { merge: 'manual' }))
    const { io, logger, error } = await world.promote()
    expect(error).toBeUndefined()
    expect(io.outputs['result']).toBe('pull-request-opened')
    const id = Number(io.outputs['deployment-id'])
    expect(statuses(world, id)).toEqual(['in_progress', 'queued'])
    expect(
      logger
        .messages('info')
        .some((l) => l.includes('the verify stage waits for Argo CD Application argocd/web'))
    ).toBe(true)
    expect(
      world.sim.requestLog.filter((r) => r.method === 'PATCH' && r.path.includes('/applications'))
    ).toEqual([])
  })

  it('does not wait with wait-for-sync: false', async () => {
    world = await startGitOpsWorld(gitOpsConfig('argocd: { application: web }\n        wait-for-sync: false'))
    const { io, logger, error } = await world.promote()
    expect(error).toBeUndefined()
    expect(logger.messages('info').some((l) => l.startsWith('wait-for-sync is off'))).toBe(true)
    expect(io.outputs['result']).toBe('merged')
  })

  it('with rollback: never, fails without touching Git again', async () => {
    world = await startGitOpsWorld()
    world.followMain()
    const { error, run } = await world.promote({ inputs: { image: CRASH, rollback: 'never' } })
    expect((error as Error).message).toContain('Not reverted (rollback: never)')
    expect(world.git('rev-parse', 'main')).toBe(run.gitops!.deliveredSha)
    expect(run.result).toBe('sync-failed')
  })
})
