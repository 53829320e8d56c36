import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { Fault, FaultRule } from '../../../../simulator/faults/fault-proxy.js'
import { LEASE, startFaultWorld, TARGETS, type FaultWorld } from './fault-world.js'

export { LEASE, startFaultWorld, TARGETS, type FaultWorld } from './fault-world.js'
import { imageOf, NAMESPACE, NEW, OLD, type InProcessRun } from './promotion-world.js'

/** Where in a promotion a request is made, as the proxy's rules pick it. */
export const CALL_SITES: Record<string, Omit<FaultRule, 'fault'>> = {
  'reading a target': { method: 'GET', path: /\/deployments\/web$/ },
  "listing a target's ReplicaSets": { method: 'GET', path: /\/replicasets$/, query: { watch: null } },
  'the server-side dry run': { method: 'PATCH', query: { dryRun: 'All' } },
  'the patch': { method: 'PATCH', path: /\/deployments\/web$/, query: { dryRun: null } },
  'a rollout watch': { method: 'GET', path: /\/deployments$/, query: { watch: 'true' } },
  'reading the Lease': { method: 'GET', path: /\/leases\/promote-action\.staging$/ },
  'creating the Lease': { method: 'POST', path: /\/leases$/ },
  'updating the Lease': { method: 'PUT', path: /\/leases\/promote-action\.staging$/ }
}

const READ_FAULTS: Array<[string, Fault]> = [
  ['500', { kind: 'status', code: 500 }],
  ['503', { kind: 'status', code: 503 }],
  ['429 with Retry-After', { kind: 'throttle', retryAfterSeconds: 1 }],
  ['a reset before the server', { kind: 'reset' }]
]
const WRITE_FAULTS: Array<[string, Fault]> = [
  ['a reset after the server applied it', { kind: 'reset-after-apply' }],
  ['a 500 after the server applied it', { kind: 'status-after-apply', code: 500 }]
]

/** Every fault kind at every call site where it means something: [site, fault name, rule]. */
export function faultMatrix(sites: string[]): Array<[string, string, FaultRule]> {
  const cases: Array<[string, string, FaultRule]> = []
  for (const site of sites) {
    const where = CALL_SITES[site]!
    const writes = where.method === 'PATCH' || where.method === 'POST' || where.method === 'PUT'
    const watch = where.query?.['watch'] === 'true'
    const faults = [
      ...READ_FAULTS,
      ...(writes ? WRITE_FAULTS : []),
      ...(watch ? ([['a cut stream', { kind: 'cut-watch', afterEvents: 1 }]] as Array<[string, Fault]>) : [])
    ]
    for (const [name, fault] of faults) cases.push([site, name, { ...where, next: 1, fault }])
  }
  return cases
}

/**
 * A promotion (and its post step) through the proxy, and what must hold whatever the faults
 * did: every target on one image (never half-applied), the outputs and the GitHub Deployment
 * record telling the truth about it, and the Lease free after the post step.
 */
export async function promoteThroughFaults(
  faults: FaultWorld
): Promise<{ main: InProcessRun; post: InProcessRun; result: string | undefined }> {
  const { world, proxy } = faults
  const kubeconfig = proxy.kubeconfig({ token: world.sim.token })
  const main = await world.inProcess({ image: NEW, kubeconfig })
  const post = await world.inProcessPost(main, { kubeconfig })
  await proxy.settled()
  const result = main.io.outputs['result']
  const images = TARGETS.map((name) => imageOf(world.sim, 'deployments', name))
  const id = Number(main.io.state['deployment-id'])
  const state = world.github.state.deploymentStatuses[id]?.at(-1)?.state
  if (result === 'success') {
    expect({ images, state }).toEqual({ images: TARGETS.map(() => NEW), state: 'success' })
  } else {
    // Failed (before or during the rollout) and rolled back: nothing is left on the new image.
    expect({ images, result }).toEqual({ images: TARGETS.map(() => OLD), result: result })
    expect(['failure', 'error']).toContain(state)
  }
  const lease = world.sim.get('leases', NAMESPACE, LEASE) as
    { spec?: { holderIdentity?: string } } | undefined
  expect(lease?.spec?.holderIdentity ?? '').toBe('')
  return { main, post, result }
}

/**
 * The fault suite for some call sites: a promotion of three Deployments through a proxy that
 * injects one fault at one call site. Each is retried (reads, dry runs, Lease re-reads) or
 * re-read before it is sent again (the patch), so the promotion completes; whatever happens the
 * cluster, the outputs and the GitHub Deployment record agree and the Lease is free after the
 * post step. Split over files so Jest runs the parts side by side.
 */
export function describeFaultsAt(title: string, sites: string[]): void {
  describe(`promote stage under API faults at ${title} (simulator behind a fault proxy, in process)`, () => {
    let faults: FaultWorld
    beforeEach(async () => {
      faults = await startFaultWorld()
    })
    afterEach(async () => {
      faults.world.github.assertNoViolations()
      await faults.close()
    })

    it.each(faultMatrix(sites))('completes through %s failing with %s', async (_site, _fault, rule) => {
      const injected = faults.proxy.rules.add(rule)
      const { main, result } = await promoteThroughFaults(faults)
      expect(injected.fired).toBe(1)
      if (result !== 'success') console.log(main.logger.text)
      expect(result).toBe('success')
    })
  })
}
