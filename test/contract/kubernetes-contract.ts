/* eslint-disable @typescript-eslint/no-explicit-any -- raw Kubernetes API JSON, read field by field */
/**
 * The Kubernetes behaviours promote-action relies on, as ONE set of tests run against every
 * target: the simulator (always, from the normal jest run) and the real control plane under
 * cluster/ (only from jest.cluster.config.js). Differences are listed in KNOWN-GAPS.md.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { KubeHttp } from './kube-http.js'
import { defineResourceContract } from './resource-contract.js'

export interface ContractTarget {
  name: string
  /** A namespace in which the client may do anything. */
  namespace: string
  http: KubeHttp
  /** An image whose pods run but never become Ready. */
  neverReadyImage: string
  /** A resourceVersion a watch can no longer resume from (410 Expired). */
  expiredResourceVersion(): Promise<string>
  /** A fresh namespace (with labels) in which pods can be created at once; dispose deletes it. */
  createNamespace(
    prefix: string,
    labels?: Record<string, string>
  ): Promise<{ name: string; dispose(): Promise<void> }>
  close(): Promise<void>
}

const REPO = 'registry.example/contract/app'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export function defineKubernetesContract(label: string, factory: () => Promise<ContractTarget>): void {
  describe(`Kubernetes contract: ${label}`, () => {
    let t: ContractTarget
    let counter = 0
    beforeAll(async () => {
      t = await factory()
    })
    afterAll(async () => {
      await t?.close()
    })

    const deployments = () => `/apis/apps/v1/namespaces/${t.namespace}/deployments`
    const replicaSets = () => `/apis/apps/v1/namespaces/${t.namespace}/replicasets`
    const leases = () => `/apis/coordination.k8s.io/v1/namespaces/${t.namespace}/leases`

    async function eventually<T>(
      what: string,
      check: () => Promise<T | undefined>,
      timeoutMs = 30_000
    ): Promise<T> {
      const started = Date.now()
      for (;;) {
        const v = await check()
        if (v !== undefined) return v
        if (Date.now() - started > timeoutMs) throw new Error(`${t.name}: timed out waiting for ${what}`)
        await sleep(100)
      }
    }

    async function createDeployment(
      image: string,
      extra: { sidecar?: boolean; progressDeadlineSeconds?: number } = {}
    ): Promise<string> {
      const name = `c${++counter}-${Date.now() % 100000}`
      const containers = [
        { name: 'app', image },
        ...(extra.sidecar ? [{ name: 'side', image: `${REPO}-side:1` }] : [])
      ]
      const r = await t.http.request('POST', deployments(), {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, labels: { app: name } },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: name } },
          ...(extra.progressDeadlineSeconds
            ? { progressDeadlineSeconds: extra.progressDeadlineSeconds }
            : {}),
          template: { metadata: { labels: { app: name } }, spec: { containers } }
        }
      })
      expect(r.status).toBe(201)
      return name
    }

    const getDeployment = (name: string) => t.http.get(`${deployments()}/${name}`)

    async function complete(name: string): Promise<any> {
      return eventually(`${name} to complete`, async () => {
        const d = await getDeployment(name)
        const s = d.status ?? {}
        return s.observedGeneration === d.metadata.generation &&
          s.updatedReplicas === d.spec.replicas &&
          s.replicas === d.spec.replicas &&
          s.availableReplicas === d.spec.replicas
          ? d
          : undefined
      })
    }

    async function revisions(name: string): Promise<Record<string, { image: string; history?: string }>> {
      const list = await t.http.get(replicaSets())
      const out: Record<string, { image: string; history?: string }> = {}
      for (const rs of list.items) {
        if (!rs.metadata.ownerReferences?.some((o: any) => o.kind === 'Deployment' && o.name === name))
          continue
        const a = rs.metadata.annotations ?? {}
        out[a['deployment.kubernetes.io/revision']] = {
          image: rs.spec.template.spec.containers[0].image,
          ...(a['deployment.kubernetes.io/revision-history']
            ? { history: a['deployment.kubernetes.io/revision-history'] }
            : {})
        }
      }
      return out
    }

    const images = (d: any) => d.spec.template.spec.containers.map((c: any) => `${c.name}=${c.image}`)

    describe('patch content types', () => {
      let name: string
      beforeAll(async () => {
        name = await createDeployment(`${REPO}:1`, { sidecar: true })
      })

      it('strategic merge patch merges containers by name (the sidecar stays)', async () => {
        const r = await t.http.request(
          'PATCH',
          `${deployments()}/${name}`,
          { spec: { template: { spec: { containers: [{ name: 'app', image: `${REPO}:2` }] } } } },
          'application/strategic-merge-patch+json'
        )
        expect(r.status).toBe(200)
        expect(images(r.body)).toEqual([`app=${REPO}:2`, `side=${REPO}-side:1`])
      })

      it('JSON patch with a passing test op applies; a failing test op is rejected and changes nothing', async () => {
        const ok = await t.http.request(
          'PATCH',
          `${deployments()}/${name}`,
          [
            { op: 'test', path: '/spec/template/spec/containers/0/name', value: 'app' },
            { op: 'replace', path: '/spec/template/spec/containers/0/image', value: `${REPO}:3` }
          ],
          'application/json-patch+json'
        )
        expect(ok.status).toBe(200)
        expect(images(ok.body)[0]).toBe(`app=${REPO}:3`)
        const before = await complete(name)
        const bad = await t.http.request(
          'PATCH',
          `${deployments()}/${name}`,
          [
            { op: 'test', path: '/spec/template/spec/containers/0/name', value: 'nope' },
            { op: 'replace', path: '/spec/template/spec/containers/0/image', value: `${REPO}:4` }
          ],
          'application/json-patch+json'
        )
        expect(bad.status).toBe(422)
        expect(bad.body.kind).toBe('Status')
        // Not the resourceVersion: a real controller may still write status after "complete".
        const after = await getDeployment(name)
        expect(after.metadata.generation).toBe(before.metadata.generation)
        expect(images(after)).toEqual(images(before))
      })

      it('JSON merge patch replaces the whole containers list', async () => {
        const r = await t.http.request(
          'PATCH',
          `${deployments()}/${name}`,
          { spec: { template: { spec: { containers: [{ name: 'app', image: `${REPO}:5` }] } } } },
          'application/merge-patch+json'
        )
        expect(r.status).toBe(200)
        expect(images(r.body)).toEqual([`app=${REPO}:5`])
      })

      it('an unsupported patch content type is 415', async () => {
        const r = await t.http.request('PATCH', `${deployments()}/${name}`, '{}', 'text/plain')
        expect(r.status).toBe(415)
      })
    })

    it('generation moves on spec changes only; observedGeneration catches up', async () => {
      const name = await createDeployment(`${REPO}:1`)
      const first = await complete(name)
      expect(first.metadata.generation).toBe(1)
      const labelled = await t.http.request(
        'PATCH',
        `${deployments()}/${name}`,
        { metadata: { labels: { extra: 'x' } } },
        'application/merge-patch+json'
      )
      expect(labelled.body.metadata.generation).toBe(1)
      const patched = await t.http.request(
        'PATCH',
        `${deployments()}/${name}`,
        { spec: { template: { spec: { containers: [{ name: 'app', image: `${REPO}:2` }] } } } },
        'application/strategic-merge-patch+json'
      )
      expect(patched.body.metadata.generation).toBe(2)
      const done = await complete(name)
      expect(done.status.observedGeneration).toBe(2)
    })

    it('ReplicaSet revisions: 1, 2, and a rollback re-adopts the old ReplicaSet as revision 3', async () => {
      const name = await createDeployment(`${REPO}:1`)
      await complete(name)
      const setImage = (image: string) =>
        t.http.request(
          'PATCH',
          `${deployments()}/${name}`,
          { spec: { template: { spec: { containers: [{ name: 'app', image }] } } } },
          'application/strategic-merge-patch+json'
        )
      await setImage(`${REPO}:2`)
      await complete(name)
      expect(await revisions(name)).toEqual({ '1': { image: `${REPO}:1` }, '2': { image: `${REPO}:2` } })
      await setImage(`${REPO}:1`)
      const d = await complete(name)
      expect(d.metadata.annotations['deployment.kubernetes.io/revision']).toBe('3')
      expect(await revisions(name)).toEqual({
        '2': { image: `${REPO}:2` },
        '3': { image: `${REPO}:1`, history: '1' }
      })
    })

    it('conditions: Available and Progressing (NewReplicaSetAvailable), then ProgressDeadlineExceeded', async () => {
      const name = await createDeployment(`${REPO}:1`, { progressDeadlineSeconds: 2 })
      const d = await complete(name)
      const cond = (o: any, type: string) => o.status.conditions.find((c: any) => c.type === type)
      expect(cond(d, 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' })
      const progressing = await eventually('NewReplicaSetAvailable', async () => {
        const c = cond(await getDeployment(name), 'Progressing')
        return c?.reason === 'NewReplicaSetAvailable' ? c : undefined
      })
      expect(progressing.status).toBe('True')
      await t.http.request(
        'PATCH',
        `${deployments()}/${name}`,
        { spec: { template: { spec: { containers: [{ name: 'app', image: t.neverReadyImage }] } } } },
        'application/strategic-merge-patch+json'
      )
      const failed = await eventually('ProgressDeadlineExceeded', async () => {
        const c = cond(await getDeployment(name), 'Progressing')
        return c?.reason === 'ProgressDeadlineExceeded' ? c : undefined
      })
      expect(failed.status).toBe('False')
      expect(failed.message).toMatch(/has timed out progressing/)
      // The old ReplicaSet keeps the Deployment available.
      expect(cond(await getDeployment(name), 'Available').status).toBe('True')
    })

    it('watch resumes from a resourceVersion: exactly the later changes, in order', async () => {
      const name = await createDeployment(`${REPO}:1`)
      const start = (await getDeployment(name)).metadata.resourceVersion as string
      for (const v of ['a', 'b']) {
        await t.http.request(
          'PATCH',
          `${deployments()}/${name}`,
          { metadata: { labels: { step: v } } },
          'application/merge-patch+json'
        )
      }
      const result = await t.http.watch(
        `${deployments()}?watch=true&resourceVersion=${start}&fieldSelector=metadata.name%3D${name}`,
        (events) => events.some((e) => e.object?.metadata?.labels?.step === 'b')
      )
      expect(result.status).toBe(200)
      const steps = result.events.map((e) => e.object.metadata.labels?.step)
      expect(steps.indexOf('a')).toBeGreaterThanOrEqual(0)
      expect(steps.indexOf('a')).toBeLessThan(steps.indexOf('b'))
      expect(result.events.every((e) => e.type === 'MODIFIED')).toBe(true)
      expect(result.events.every((e) => BigInt(e.object.metadata.resourceVersion) > BigInt(start))).toBe(true)
    })

    it('watch from an expired resourceVersion: 410 Expired (as an ERROR event or the response status)', async () => {
      const rv = await t.expiredResourceVersion()
      // configmaps: on the real cluster they have no watch cache (cluster/up.sh), so etcd answers.
      const result = await t.http.watch(
        `/api/v1/namespaces/${t.namespace}/configmaps?watch=true&resourceVersion=${rv}`,
        (e) => e.some((x) => x.type === 'ERROR')
      )
      const status =
        result.status === 200 ? result.events.find((e) => e.type === 'ERROR')?.object : result.body
      if (!status)
        throw new Error(`no 410 from ${t.name} for rv ${rv}: ${JSON.stringify(result).slice(0, 2000)}`)
      expect(status).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' })
      expect(status.message).toMatch(/too old/)
    })

    it('Lease: update with a stale resourceVersion is 409 Conflict', async () => {
      const name = `lock-${Date.now() % 100000}`
      const created = await t.http.request('POST', leases(), {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name },
        spec: { holderIdentity: 'run-1', leaseDurationSeconds: 30 }
      })
      expect(created.status).toBe(201)
      const stale = created.body
      const first = await t.http.request('PUT', `${leases()}/${name}`, {
        ...stale,
        spec: { ...stale.spec, holderIdentity: 'run-2' }
      })
      expect(first.status).toBe(200)
      const second = await t.http.request('PUT', `${leases()}/${name}`, {
        ...stale,
        spec: { ...stale.spec, holderIdentity: 'run-3' }
      })
      expect(second.status).toBe(409)
      expect(second.body).toMatchObject({ kind: 'Status', reason: 'Conflict', code: 409 })
      expect((await t.http.get(`${leases()}/${name}`)).spec.holderIdentity).toBe('run-2')
    })

    it('server-side dry-run: the patched object is returned, nothing is stored', async () => {
      const name = await createDeployment(`${REPO}:1`)
      const before = await complete(name)
      const r = await t.http.request(
        'PATCH',
        `${deployments()}/${name}?dryRun=All`,
        { spec: { template: { spec: { containers: [{ name: 'app', image: `${REPO}:2` }] } } } },
        'application/strategic-merge-patch+json'
      )
      expect(r.status).toBe(200)
      expect(images(r.body)).toEqual([`app=${REPO}:2`])
      expect(r.body.metadata.generation).toBe(before.metadata.generation + 1)
      const after = await getDeployment(name)
      // The spec, not the resourceVersion: a real controller may still write status meanwhile.
      expect(after.spec).toEqual(before.spec)
      expect(after.metadata.generation).toBe(before.metadata.generation)
      expect(images(after)).toEqual([`app=${REPO}:1`])
      const create = await t.http.request('POST', `${leases()}?dryRun=All`, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: 'dry-lease' },
        spec: { holderIdentity: 'x' }
      })
      expect(create.status).toBe(201)
      expect((await t.http.request('GET', `${leases()}/dry-lease`)).status).toBe(404)
    })

    defineResourceContract(() => t)
  })
}
