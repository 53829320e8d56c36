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
      close: () => ns.dispose()
    }
  })
