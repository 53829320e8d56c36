/** The Kubernetes contract against the simulator (part of the normal `npm test`). */
import { startKubernetesSimulator } from '../../simulator/kubernetes/index.js'
import { KubeHttp } from './kube-http.js'
import { defineKubernetesContract } from './kubernetes-contract.js'

let namespaces = 0

defineKubernetesContract('simulator', async () => {
  const sim = await startKubernetesSimulator({ namespaces: ['contract'], controllerTickMs: 5 })
  const neverReady = 'registry.example/contract/app:never-ready'
  sim.setImageBehaviour(neverReady, { kind: 'never-ready' })
  return {
    name: 'simulator',
    namespace: 'contract',
    http: await KubeHttp.fromKubeconfig(sim.kubeconfig()),
    neverReadyImage: neverReady,
    async expiredResourceVersion() {
      const rv = sim.resourceVersion()
      sim.create({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `bump-${Date.now()}`, namespace: 'contract' }
      })
      sim.compactWatchHistory()
      return rv
    },
    async createNamespace(prefix, labels = {}) {
      const name = `${prefix}-${Date.now() % 100000}-${++namespaces}`
      sim.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } })
      return { name, dispose: async () => sim.delete('namespaces', undefined, name) }
    },
    close: () => sim.close()
  }
})
