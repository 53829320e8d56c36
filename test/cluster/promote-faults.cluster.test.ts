/* eslint-disable @typescript-eslint/no-explicit-any -- raw Kubernetes API JSON, read field by field */
/**
 * The bundled promote stage and its post step against the real control plane, as the
 * least-privilege ServiceAccount, through a TLS-terminating fault proxy in front of
 * kube-apiserver: each fault kind at each call site of a promotion of three Deployments. Whatever
 * the fault, the promotion completes, the cluster, the outputs and the GitHub Deployment record
 * agree, and the Lease is free after the post step.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startFaultProxy, type FaultProxy, type FaultRule } from '../../simulator/faults/fault-proxy.js'
import { deploymentManifest } from '../kubernetes/support/fixtures.js'
import { faultMatrix, LEASE, TARGETS } from '../stages/promote/support/fault-matrix.js'
import { createTestPki, type TestPki } from '../support/test-pki.js'
import { apply, createTestNamespace, getJson, kubectl, rolloutStatus, type TestNamespace } from './support/cluster.js'
import { clusterConfig, REPO, startClusterWorld, type ClusterWorld } from './support/promote-world.js'

let ns: TestNamespace
let world: ClusterWorld
let proxy: FaultProxy
let pki: TestPki
let kubeconfig: string
let version = 1

beforeAll(async () => {
  ns = await createTestNamespace('faults')
  for (const name of TARGETS) await apply(deploymentManifest({ name, namespace: ns.name, image: `${REPO}:v1` }))
  for (const name of TARGETS) await rolloutStatus('deployment', name, ns.name)
  const sa = ns.saKubeconfig
  const field = (key: string) => new RegExp(`${key}:\\s*"?([^"\\s]+)"?`).exec(sa)![1]!
  pki = createTestPki()
  proxy = await startFaultProxy({
    upstream: { url: field('server'), ca: Buffer.from(field('certificate-authority-data'), 'base64').toString('utf8') },
    tls: { key: pki.key, cert: pki.cert, ca: pki.caPem }
  })
  kubeconfig = proxy.kubeconfig({ token: field('token') })
  world = await startClusterWorld(
    clusterConfig(ns.name, TARGETS.map((t) => `      - name: ${t}`).join('\n')),
    kubeconfig
  )
})
afterAll(async () => {
  await world?.close()
  await proxy?.close()
  pki?.remove()
  await ns?.dispose()
})

describe('promote stage under API faults on the real control plane (ServiceAccount, TLS fault proxy)', () => {
  it.each(faultMatrix(['reading a target', "listing a target's ReplicaSets", 'a rollout watch', 'the server-side dry run', 'the patch', 'reading the Lease', 'creating the Lease', 'updating the Lease']))(
    'completes through %s failing with %s',
    async (_site, _fault, rule) => {
      // Every promotion creates the Lease again, so the Lease's create is a call site each time.
      await kubectl(['delete', 'lease', LEASE, '-n', ns.name, '--ignore-not-found'])
      const image = `${REPO}:v${++version}`
      const injected = proxy.rules.add(rule as FaultRule)
      const main = await world.launch('promote', { image })
      injected.remove()
      await world.launch('promote', { image }, { state: main.state })
      await proxy.settled()
      if (main.outputs['result'] !== 'success') console.log(main.stdout)
      const images = await Promise.all(
        TARGETS.map(async (name) => (await getJson('deployment', ns.name, name)).spec.template.spec.containers[0].image)
      )
      const id = Number(main.state['deployment-id'])
      expect({
        fired: injected.fired,
        result: main.outputs['result'],
        images,
        record: world.github.state.deploymentStatuses[id]?.at(-1)?.state
      }).toEqual({ fired: 1, result: 'success', images: TARGETS.map(() => image), record: 'success' })
      const lease: any = await getJson('lease', ns.name, LEASE).catch(() => undefined)
      expect(lease?.spec?.holderIdentity ?? '').toBe('')
    }
  )
})
