import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { FaultRule } from '../../../simulator/faults/fault-proxy.js'
import {
  faultMatrix,
  promoteThroughFaults,
  startFaultWorld,
  type FaultWorld
} from './support/fault-matrix.js'

/**
 * A promotion of three Deployments through a proxy that injects one fault at one call site:
 * each is retried (reads, dry runs, Lease re-reads) or re-read before it is sent again (the
 * patch), so the promotion completes, and whatever happens the cluster, the outputs and the
 * GitHub Deployment record agree and the Lease is free after the post step.
 */
describe('promote stage under API faults at reads and watches (simulator behind a fault proxy, in process)', () => {
  let faults: FaultWorld
  beforeEach(async () => {
    faults = await startFaultWorld()
  })
  afterEach(async () => {
    faults.world.github.assertNoViolations()
    await faults.close()
  })

  it.each(faultMatrix(['reading a target', "listing a target's ReplicaSets", 'a rollout watch']))(
    'completes through %s failing with %s',
    async (_site, _fault, rule) => {
      const injected = faults.proxy.rules.add(rule as FaultRule)
      const { main, result } = await promoteThroughFaults(faults)
      expect(injected.fired).toBe(1)
      if (result !== 'success') console.log(main.logger.text)
      expect(result).toBe('success')
    }
  )
})
