/**
 * Promote stage figures against the Kubernetes simulator and the GitHub emulator:
 * - rollout complete -> stage reports success (p50/p95 over 20 runs, in-process);
 * - first backoff reason on a new pod -> failure reported;
 * - 50 Deployments vs 1: wall time ratio, the process CPU per extra target and Kubernetes requests per target (bundle, as the runner runs it);
 * - peak memory of the bundle at 50 targets.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import {
  environmentConfig,
  NEW,
  OLD,
  startPromotionWorld,
  type PromotionWorld
} from '../test/stages/promote/support/promotion-world.js'
import { median, percentile } from './stats.js'

type Dep = {
  metadata: { generation?: number }
  spec: { replicas?: number }
  status?: Record<string, number | undefined>
}

function deployment(name: string, image: string, replicas = 2): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop', labels: { app: name, tier: 'bench' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, tier: 'bench' } },
        spec: { containers: [{ name: 'app', image }] }
      }
    }
  }
}

/** kubectl's "successfully rolled out" condition, read straight from the simulator's store. */
function complete(sim: PromotionWorld['sim'], name: string, image: string): boolean {
  const d = sim.get('deployments', 'shop', name) as Dep & {
    spec: { template: { spec: { containers: { image: string }[] } } }
  }
  const s = d.status ?? {}
  const replicas = d.spec.replicas ?? 1
  return (
    d.spec.template.spec.containers[0]!.image === image &&
    s['observedGeneration'] === d.metadata.generation &&
    (s['updatedReplicas'] ?? 0) === replicas &&
    (s['replicas'] ?? 0) === replicas &&
    (s['availableReplicas'] ?? 0) === replicas
  )
}

/** Calls `onTrue` at the first moment `check` holds, polling the in-process store every event-loop turn. */
function whenTrue(check: () => boolean): { at: () => number; stop: () => void } {
  let at = 0
  let stopped = false
  const tick = () => {
    if (stopped) return
    if (!at && check()) at = performance.now()
    setImmediate(tick)
  }
  setImmediate(tick)
  return { at: () => at, stop: () => (stopped = true) }
}

async function completionToSuccess(): Promise<number[]> {
  const world = await startPromotionWorld(environmentConfig({ targets: '      - name: api' }), {
    controllerTickMs: 5
  })
  const samples: number[] = []
  try {
    world.sim.create(deployment('api', OLD))
    for (let i = 0; i < 20; i++) {
      const image = i % 2 === 0 ? NEW : OLD
      while (!complete(world.sim, 'api', i % 2 === 0 ? OLD : NEW) && i > 0)
        await new Promise((r) => setTimeout(r, 5))
      const probe = whenTrue(() => complete(world.sim, 'api', image))
      const run = await world.inProcess({ image, 'github-token': '' }, { runId: `bench-${i}` })
      const ended = performance.now()
      probe.stop()
      if (run.report?.result !== 'success' || !probe.at())
        throw new Error(`run ${i}: ${String(run.error ?? run.report?.result)}`)
      samples.push(ended - probe.at())
    }
  } finally {
    await world.close()
  }
  return samples
}

async function failingImageDetection(): Promise<number> {
  const world = await startPromotionWorld(environmentConfig({ targets: '      - name: api' }), {
    controllerTickMs: 5
  })
  try {
    world.sim.create(deployment('api', OLD))
    await new Promise((r) => setTimeout(r, 300))
    const bad = 'ghcr.io/acme/api:crashing'
    world.sim.setImageBehaviour(bad, { kind: 'image-pull-backoff', afterMs: 50 })
    const firstReason = whenTrue(() =>
      (
        world.sim.list('pods', 'shop') as Array<{
          status?: { containerStatuses?: Array<{ state?: { waiting?: { reason?: string } } }> }
        }>
      ).some((p) =>
        (p.status?.containerStatuses ?? []).some((c) =>
          /BackOff|ErrImagePull/.test(c.state?.waiting?.reason ?? '')
        )
      )
    )
    const run = await world.inProcess(
      { image: bad, rollback: 'never', 'github-token': '' },
      { runId: 'bench-fail' }
    )
    const ended = performance.now()
    firstReason.stop()
    if (run.report?.result === 'success' || !firstReason.at())
      throw new Error('the failing image was not detected')
    return ended - firstReason.at()
  } finally {
    await world.close()
  }
}

/**
 * The simulator's own share of a scale run: the same rollouts started by writing the new
 * image directly into its store, timed until every Deployment is complete.
 */
async function simulatorOnly(count: number): Promise<number> {
  const world = await startPromotionWorld(environmentConfig({ targets: '      - selector: tier=bench' }), {
    controllerTickMs: 10
  })
  try {
    for (let i = 0; i < count; i++) world.sim.create(deployment(`svc-${i}`, OLD, 1))
    await new Promise((r) => setTimeout(r, 500 + count * 10))
    const started = performance.now()
    for (let i = 0; i < count; i++) {
      const d = world.sim.get('deployments', 'shop', `svc-${i}`) as {
        spec: { template: { spec: { containers: { image: string }[] } } }
      }
      d.spec.template.spec.containers[0]!.image = NEW
      world.sim.update(d)
    }
    // Re-check only the Deployments not yet complete, and only after the simulator wrote
    // something: reading (copying) all 50 on every event-loop turn slowed the very
    // controllers being timed.
    const pending = new Set([...Array(count).keys()].map((i) => `svc-${i}`))
    let version = ''
    while (pending.size > 0) {
      await new Promise((r) => setTimeout(r, 1))
      if (world.sim.resourceVersion() === version) continue
      version = world.sim.resourceVersion()
      for (const name of pending) if (complete(world.sim, name, NEW)) pending.delete(name)
    }
    return performance.now() - started
  } finally {
    await world.close()
  }
}

async function scaleRun(
  count: number,
  distDir?: string
): Promise<{ ms: number; requests: number; maxRssMiB: number; cpuMs: number }> {
  const world = await startPromotionWorld(environmentConfig({ targets: '      - selector: tier=bench' }), {
    controllerTickMs: 10
  })
  try {
    for (let i = 0; i < count; i++) world.sim.create(deployment(`svc-${i}`, OLD, 1))
    await new Promise((r) => setTimeout(r, 500 + count * 10))
    const before = world.sim.requestLog.length
    const usageFile = join(mkdtempSync(join(tmpdir(), 'usage-')), 'usage.json')
    const result = await world.launch(
      { image: NEW, 'github-token': '' },
      {
        env: {
          NODE_OPTIONS: `--import=${resolve('bench/report-usage.mjs')}`,
          BENCH_USAGE_FILE: usageFile,
          GITHUB_API_URL: world.github.url,
          KUBECONFIG: undefined
        },
        ...(distDir ? { distDir } : {})
      }
    )
    if (result.exitCode !== 0) throw new Error(`promotion of ${count} failed: ${result.stdout.slice(-800)}`)
    const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as { maxRssKiB: number; cpuMs: number }
    return {
      ms: result.durationMs,
      requests: world.sim.requestLog.length - before,
      maxRssMiB: usage.maxRssKiB / 1024,
      cpuMs: usage.cpuMs
    }
  } finally {
    await world.close()
  }
}

/**
 * Rounds of 1 then 50 targets back to back. This 2-core machine's speed drifts from minute to
 * minute (one target: 350–430 ms), so each round's own ratio compares like with like, and
 * their median is the figure; the ratio of the two medians is printed beside it.
 */
const SCALE_ROUNDS = 15
const SIMULATOR_ROUNDS = 5
/**
 * Another build to compare with in the same run (BENCH_BASELINE_DIST=<a dist/ folder>, e.g. the
 * previous release's): its rounds alternate with this build's, so both meet the same machine.
 */
const BASELINE_DIST = process.env['BENCH_BASELINE_DIST']

export async function promoteFigures(): Promise<string[]> {
  const samples = await completionToSuccess()
  const detection = await failingImageDetection()
  const ones: Array<Awaited<ReturnType<typeof scaleRun>>> = []
  const fifties: typeof ones = []
  const baseOnes: typeof ones = []
  const baseFifties: typeof ones = []
  for (let round = 0; round < SCALE_ROUNDS; round++) {
    if (BASELINE_DIST) baseOnes.push(await scaleRun(1, BASELINE_DIST))
    ones.push(await scaleRun(1))
    if (BASELINE_DIST) baseFifties.push(await scaleRun(50, BASELINE_DIST))
    fifties.push(await scaleRun(50))
  }
  const one = median(ones.map((r) => r.ms))
  const fifty = median(fifties.map((r) => r.ms))
  const ratios = ones.map((o, i) => fifties[i]!.ms / o.ms)
  const oneCpu = median(ones.map((r) => r.cpuMs))
  const fiftyCpu = median(fifties.map((r) => r.cpuMs))
  const simOnes: number[] = []
  const simFifties: number[] = []
  for (let round = 0; round < SIMULATOR_ROUNDS; round++) {
    simOnes.push(await simulatorOnly(1))
    simFifties.push(await simulatorOnly(50))
  }
  const simOne = median(simOnes)
  const simFifty = median(simFifties)
  return [
    `rollout complete -> stage reports success (20 runs, in-process): p50 ${percentile(samples, 50).toFixed(1)} ms, p95 ${percentile(samples, 95).toFixed(1)} ms (target p50 <= 50 ms)`,
    `first backoff reason on a new pod -> failure reported (defaults, rollback: never): ${(detection / 1000).toFixed(2)} s (target <= 15 s)`,
    `50 Deployments vs 1 (bundle as the runner runs it; ${SCALE_ROUNDS} rounds of 1 then 50): median of the rounds' ratios ${median(ratios).toFixed(2)}x (middle half ${percentile(ratios, 25).toFixed(2)}–${percentile(ratios, 75).toFixed(2)}x; target <= 1.5x); medians ${fifty.toFixed(0)} ms vs ${one.toFixed(0)} ms = ${(fifty / one).toFixed(2)}x`,
    `  the simulator alone (image written into its store, no action; median of ${SIMULATOR_ROUNDS}): 50 rollouts ${simFifty.toFixed(0)} ms vs 1 in ${simOne.toFixed(0)} ms = ${(simFifty / simOne).toFixed(2)}x, so its controllers account for ${Math.max(0, simFifty - simOne).toFixed(0)} ms of the difference`,
    `CPU of the promote process (user + system, all threads; medians): ${fiftyCpu.toFixed(0)} ms at 50 targets vs ${oneCpu.toFixed(0)} ms at 1 = ${(fiftyCpu / oneCpu).toFixed(2)}x, ${((fiftyCpu - oneCpu) / 49).toFixed(1)} ms per extra target`,
    `Kubernetes requests: ${ones[0]!.requests} for 1 target; ${fifties[0]!.requests} for 50 = ${(fifties[0]!.requests / 50).toFixed(1)} per target`,
    `peak memory of the promote bundle at 50 targets: ${Math.max(...fifties.map((r) => r.maxRssMiB)).toFixed(0)} MiB (target <= 200 MB); at 1 target ${Math.max(...ones.map((r) => r.maxRssMiB)).toFixed(0)} MiB`,
    ...(BASELINE_DIST
      ? baselineLines(BASELINE_DIST, { ones, fifties }, { ones: baseOnes, fifties: baseFifties })
      : [])
  ]
}

type ScaleRuns = {
  ones: Array<Awaited<ReturnType<typeof scaleRun>>>
  fifties: Array<Awaited<ReturnType<typeof scaleRun>>>
}

/** This build against the baseline build, rounds alternated in this run. */
function baselineLines(dist: string, current: ScaleRuns, baseline: ScaleRuns): string[] {
  const describe = (runs: ScaleRuns) => {
    const one = median(runs.ones.map((r) => r.ms))
    const fifty = median(runs.fifties.map((r) => r.ms))
    const ratio = median(runs.ones.map((o, i) => runs.fifties[i]!.ms / o.ms))
    const oneCpu = median(runs.ones.map((r) => r.cpuMs))
    const fiftyCpu = median(runs.fifties.map((r) => r.cpuMs))
    return `1 target ${one.toFixed(0)} ms, 50 targets ${fifty.toFixed(0)} ms (ratio ${ratio.toFixed(2)}x); CPU ${oneCpu.toFixed(0)} -> ${fiftyCpu.toFixed(0)} ms (${((fiftyCpu - oneCpu) / 49).toFixed(1)} ms per extra target); requests ${runs.ones[0]!.requests} / ${runs.fifties[0]!.requests}; peak ${Math.max(...runs.fifties.map((r) => r.maxRssMiB)).toFixed(0)} MiB`
  }
  return [
    `same rounds, alternated (${SCALE_ROUNDS} each):`,
    `  this build:     ${describe(current)}`,
    `  baseline build (${dist}): ${describe(baseline)}`
  ]
}
