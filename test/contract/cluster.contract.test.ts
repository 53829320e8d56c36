/** The Kubernetes contract against the real control plane (only under jest.cluster.config.js). */
import { readFileSync } from 'node:fs'
import { describe, it } from '@jest/globals'
import { adminKubeconfig, clusterAvailable, createTestNamespace } from '../cluster/support/cluster.js'
import { KubeHttp } from './kube-http.js'
import { defineKubernetesContract } from './kubernetes-contract.js'

// Under the normal jest config (no cluster started) this file only reports a skipped suite.
if (!clusterAvailable())
  describe.skip('Kubernetes contract: real cluster (runs only under npm run test:cluster)', () => {
    it('needs the cluster started by jest.cluster.config.js', () => undefined)
  })
else
  defineKubernetesContract('real cluster (kube-apiserver v1.36.3 + kwok)', async () => {
    const ns = await createTestNamespace('contract')
    // Contract tests use the admin identity: they test Kubernetes, not our Role.
    const http = await KubeHttp.fromKubeconfig(readFileSync(adminKubeconfig(), 'utf8'))
    return {
      name: 'cluster',
      namespace: ns.name,
      http,
      neverReadyImage: 'registry.example/contract/app:never-ready',
      // resourceVersion 1 is "too old" once etcd has been compacted past it. The apiserver
      // compacts every 10 s here (cluster/up.sh; 5 min by default); before the first compaction a
      // watch from '1' is served from etcd (every event since), so wait for the compaction.
      async expiredResourceVersion() {
        const started = Date.now()
        while (Date.now() - started < 60_000) {
          const probe = await http.watch(
            `/api/v1/namespaces/${ns.name}/configmaps?watch=true&resourceVersion=1&timeoutSeconds=1`,
            (events) => events.some((e) => e.type === 'ERROR'),
            2000
          )
          if (probe.status === 410 || probe.events.some((e) => e.type === 'ERROR' && e.object?.code === 410))
            return '1'
          await new Promise((r) => setTimeout(r, 1000))
        }
        throw new Error(
          'etcd was not compacted past resourceVersion 1 within 60 s (see cluster/up.sh etcd-compaction-interval)'
        )
      },
      // Pods can be created once the ServiceAccount controller has made the `default` account.
      async createNamespace(prefix, labels = {}) {
        const name = `${prefix}-${process.pid % 10000}-${Date.now() % 100000}`
        const created = await http.request('POST', '/api/v1/namespaces', {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name, labels }
        })
        if (created.status !== 201) throw new Error(`namespace ${name}: ${JSON.stringify(created.body)}`)
        const started = Date.now()
        while (
          (await http.request('GET', `/api/v1/namespaces/${name}/serviceaccounts/default`)).status !== 200
        ) {
          if (Date.now() - started > 30_000) throw new Error(`no default ServiceAccount in ${name}`)
          await new Promise((r) => setTimeout(r, 200))
        }
        return {
          name,
          dispose: async () => {
            await http.request('DELETE', `/api/v1/namespaces/${name}`)
          }
        }
      },
      close: () => ns.dispose()
    }
  })
