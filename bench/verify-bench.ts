/**
 * Verify stage figures: the time from an endpoint becoming healthy to the verdict with the
 * default policy (next to the seed's fixed `sleep 30`), and 20 URLs checked together as a
 * ratio to one URL. Runs the stage in-process through runStage, as the entrypoint does.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startHealthServer } from '../simulator/health/index.js'
import { RecordingLogger } from '../src/runtime/logger.js'
import { runStage } from '../src/runtime/run-stage.js'
import { verifyStage } from '../src/stages/verify/verify-stage.js'
import { MemoryIO } from '../test/support/memory-io.js'

const SHA = 'c0ffee0000000000000000000000000000000001'

async function verify(http: string, policy = ''): Promise<{ endedAt: number; ms: number; io: MemoryIO }> {
  const dir = mkdtempSync(join(tmpdir(), 'verify-bench-'))
  writeFileSync(
    join(dir, 'p.yml'),
    `environments:\n  staging:\n    namespace: shop\n    targets: [{name: web}]\n    health:\n      kubernetes: {rollout: false, no-restarts: false}\n${policy}      http:\n${http}\n`
  )
  const io = new MemoryIO({ environment: 'staging', sha: SHA, config: 'p.yml' })
  const started = performance.now()
  await runStage((c) => verifyStage(c), { logger: new RecordingLogger(), io, env: { GITHUB_WORKSPACE: dir } })
  return { endedAt: performance.now(), ms: performance.now() - started, io }
}

export async function verifyFigures(): Promise<string[]> {
  const server = await startHealthServer()
  try {
    server.route('/slow-start', { kind: 'status', code: 503 })
    let healthyAt = 0
    setTimeout(() => {
      server.route('/slow-start', { kind: 'up' })
      healthyAt = performance.now()
    }, 3000)
    const slow = await verify(`        - url: ${server.url}/slow-start`)
    const toVerdict = slow.endedAt - healthyAt

    const policy = '      policy: {consecutive-successes: 3, soak: 1s}\n'
    for (let i = 0; i < 20; i++) server.route(`/u${i}`, { kind: 'slow', delayMs: 50 })
    const one = await verify(`        - url: ${server.url}/u0`, policy)
    const twenty = await verify(
      Array.from({ length: 20 }, (_, i) => `        - url: ${server.url}/u${i}`).join('\n'),
      policy
    )
    return [
      `healthy -> verdict (defaults: 3 passes over a 10 s soak): ${(toVerdict / 1000).toFixed(2)} s (target <= 11 s; the seed sleeps a fixed 30 s and probes once); healthy=${slow.io.outputs['healthy']}`,
      `20 URLs together vs 1 URL (1 s soak, 50 ms endpoints): ${twenty.ms.toFixed(0)} ms vs ${one.ms.toFixed(0)} ms = ${(twenty.ms / one.ms).toFixed(2)}x (target <= 1.5x)`
    ]
  } finally {
    await server.close()
  }
}
