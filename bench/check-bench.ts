/**
 * Check mode figures: the drift report across 3 environments x 50 workloads (every default
 * check, parity on both pairs), in-process through runStage against the Kubernetes simulator:
 * Kubernetes requests per kind and namespace (target: a constant number of list calls per kind
 * and namespace, not per workload) and wall time, next to the same report over 1 workload.
 */
import { app, ENVIRONMENTS, pdb, startCheckWorld, threeEnvironments } from '../test/stages/check/support.js'

interface Measured {
  ms: number
  requests: number
  /** Most GETs of one path (one kind in one namespace, or one object). */
  maxPerPath: number
  perKind: string
  drift: string
}

async function measure(workloads: number): Promise<Measured> {
  const world = await startCheckWorld()
  try {
    const names = Array.from({ length: workloads }, (_, i) => `svc-${String(i).padStart(2, '0')}`)
    world.config(threeEnvironments({ names }))
    for (const env of ENVIRONMENTS)
      for (const name of names) {
        world.sim.create(app(env.namespace, { name, replicas: env.name === 'production' ? 3 : 1 }))
        if (env.name === 'production') world.sim.create(pdb(env.namespace, name))
      }
    // Let the simulated controllers settle before counting (pods exist, as in a real cluster).
    await new Promise((resolve) => setTimeout(resolve, 500))
    const from = world.sim.requestLog.length
    const run = await world.run()
    const requests = world.sim.requestLog.slice(from)
    const perPath = new Map<string, number>()
    for (const r of requests)
      perPath.set(`${r.method} ${r.path}`, (perPath.get(`${r.method} ${r.path}`) ?? 0) + 1)
    const perKind = new Map<string, number>()
    for (const r of requests) {
      const parts = r.path.split('/')
      // /api/v1/namespaces/NAME is the one get (parity's mesh labels); the rest are lists.
      const kind = parts.at(-2) === 'namespaces' ? 'namespace (get)' : parts.at(-1)!
      perKind.set(kind, (perKind.get(kind) ?? 0) + 1)
    }
    return {
      ms: run.ms,
      requests: requests.length,
      maxPerPath: Math.max(...perPath.values()),
      perKind: [...perKind].map(([kind, n]) => `${kind} ${n}`).join(', '),
      drift: run.io.outputs['drift'] ?? '?'
    }
  } finally {
    await world.close()
  }
}

export async function checkFigures(): Promise<string[]> {
  await measure(1) // loads the stage's modules (client-node, Octokit) once, outside the timings
  const one = await measure(1)
  const fifty = await measure(50)
  return [
    `3 environments x 50 workloads: ${fifty.requests} Kubernetes requests (${fifty.perKind}); at most ${fifty.maxPerPath} request(s) per path, i.e. per kind and namespace (target: constant, not per workload); drift=${fifty.drift}`,
    `  the same report over 1 workload per environment: ${one.requests} requests, at most ${one.maxPerPath} per path`,
    `wall time: ${fifty.ms.toFixed(0)} ms for 150 workloads vs ${one.ms.toFixed(0)} ms for 3 = ${(fifty.ms / one.ms).toFixed(2)}x`
  ]
}
