import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { upstreamRunning } from '../../src/gates/upstream-running.js'
import { ImageReference } from '../../src/image/image-reference.js'
import { environment, SHA, startGateHarness, type GateHarness } from './support/gate-harness.js'
import {
  REPOSITORY,
  rolledOut,
  startGateCluster,
  webDeployment,
  type GateCluster
} from './support/cluster.js'

const DIGEST = `sha256:${'ab'.repeat(32)}`
const OTHER_DIGEST = `sha256:${'cd'.repeat(32)}`
const IMAGE = `${REPOSITORY}:${SHA}`

describe('upstream-running gate (Kubernetes simulator)', () => {
  let h: GateHarness
  let cluster: GateCluster
  beforeEach(async () => {
    h = await startGateHarness()
    cluster = await startGateCluster(h.logger)
    cluster.sim.setImageDigest(IMAGE, DIGEST)
  })
  afterEach(async () => {
    await cluster.close()
    await h.close()
  })

  const run = (settings: unknown = {}, image = IMAGE, targets: unknown[] = [{ name: 'web' }]) =>
    h.run(upstreamRunning, settings, {
      upstream: environment({ name: 'staging', namespace: 'shop-staging', targets }),
      image: ImageReference.parse(image),
      kubernetes: cluster.kubernetes,
      kubernetesConfigured: true
    })

  it('passes when every pod of every target runs the image and the rollout is complete, reporting the digest', async () => {
    cluster.sim.create(webDeployment('shop-staging', IMAGE, 3))
    await rolledOut(cluster.sim, 'shop-staging')
    const result = await run()
    expect(result.status).toBe('passed')
    expect(result.summary).toBe(`every target in staging (default) runs ${IMAGE} and is fully rolled out`)
    expect(result.evidence[0]).toEqual({
      label: 'deployment/web in default/shop-staging',
      value: `✓ 3 pod(s) on ${IMAGE}; digest ${DIGEST.slice(0, 19)}; deployment "web" successfully rolled out`
    })
  })

  it('fails when upstream runs another image, saying which', async () => {
    cluster.sim.create(webDeployment('shop-staging', `${REPOSITORY}:previous`))
    await rolledOut(cluster.sim, 'shop-staging')
    const result = await run()
    expect(result.status).toBe('failed')
    expect(result.summary).toContain(`deployment/web in default/shop-staging runs app=${REPOSITORY}:previous`)
  })

  it('is pending while the rollout is still under way', async () => {
    cluster.sim.setImageBehaviour(IMAGE, { kind: 'never-ready' })
    cluster.sim.create(webDeployment('shop-staging', IMAGE))
    const result = await run()
    expect(result.status).toBe('pending')
    expect(result.summary).toMatch(
      /^staging \(default\) is still rolling out: deployment\/web in default\/shop-staging: Waiting for deployment "web" rollout to finish/
    )
  })

  it('judges by digest when the promoted image is pinned, from the pods’ imageID', async () => {
    cluster.sim.create(webDeployment('shop-staging', IMAGE))
    await rolledOut(cluster.sim, 'shop-staging')
    expect((await run({}, `${IMAGE}@${DIGEST}`)).status).toBe('passed')
    const result = await run({}, `${IMAGE}@${OTHER_DIGEST}`)
    expect(result.status).toBe('failed')
    expect(result.summary).toContain(`2 container(s) run another image`)
    expect(result.summary).toContain(DIGEST)
  })

  it('finds workloads by label selector, and fails when none matches', async () => {
    cluster.sim.create(webDeployment('shop-staging', IMAGE))
    await rolledOut(cluster.sim, 'shop-staging')
    expect((await run({}, IMAGE, [{ selector: 'tier=frontend' }])).status).toBe('passed')
    const none = await run({}, IMAGE, [{ selector: 'tier=backend' }])
    expect(none).toMatchObject({
      status: 'failed',
      summary: expect.stringContaining('no Deployment matches tier=backend in default/shop-staging')
    })
  })

  it('fails when a target does not exist', async () => {
    const result = await run()
    expect(result).toMatchObject({
      status: 'failed',
      summary: expect.stringContaining('deployment/web in default/shop-staging does not exist')
    })
  })

  it('uses with.image with ${sha} replaced', async () => {
    cluster.sim.create(webDeployment('shop-staging', `${REPOSITORY}:build-${SHA.slice(0, 7)}`))
    await rolledOut(cluster.sim, 'shop-staging')
    expect((await run({ image: `${REPOSITORY}:build-\${short-sha}` })).status).toBe('passed')
  })

  it('names the missing RBAC rule when pods may not be listed', async () => {
    cluster.sim.create(webDeployment('shop-staging', IMAGE))
    await rolledOut(cluster.sim, 'shop-staging')
    cluster.sim.denyRequests({ verb: 'list', resource: 'pods' })
    await expect(run()).rejects.toThrow('{ apiGroups: [""], resources: ["pods"], verbs: ["list"] }')
  })

  it('asks for what it needs before anything runs', () => {
    const settings = upstreamRunning.settings.parse({})
    const setup = {
      environmentName: 'production',
      environment: environment({}),
      hasImage: false,
      kubernetesConfigured: false
    }
    expect(upstreamRunning.validate!(settings, { ...setup, upstream: undefined })).toEqual([
      'a from: on production naming the environment it promotes from'
    ])
    expect(
      upstreamRunning.validate!(settings, { ...setup, upstream: environment({ name: 'staging' }) })
    ).toEqual([
      'with.image, or image.repository on production or staging',
      'cluster credentials to read staging (the kubeconfig input, the KUBECONFIG variable, or a runner inside the cluster)'
    ])
  })
})
