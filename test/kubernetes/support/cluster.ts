import net from 'node:net'
import { startKubernetesSimulator } from '../../../simulator/kubernetes/index.js'
import type {
  KubernetesSimulator,
  KubernetesSimulatorOptions
} from '../../../simulator/kubernetes/simulator-types.js'
import { createKubeConfig } from '../../../src/kubernetes/api/client-factory.js'
import { KubernetesWorkloadApi } from '../../../src/kubernetes/api/kubernetes-api.js'

/** A simulator plus the real client-node API over it, as the action would build it. */
export interface TestCluster {
  sim: KubernetesSimulator
  api: KubernetesWorkloadApi
  close(): Promise<void>
}

export async function startTestCluster(options: KubernetesSimulatorOptions = {}): Promise<TestCluster> {
  const sim = await startKubernetesSimulator({ ...options })
  const api = new KubernetesWorkloadApi(
    createKubeConfig({ kubeconfig: sim.kubeconfig(), env: {} }).kubeConfig
  )
  return { sim, api, close: () => sim.close() }
}

/** An API whose connections go through a TCP proxy the test can cut, as a flaky network would. */
export interface CuttableApi {
  api: KubernetesWorkloadApi
  /** Destroys every open connection (watches included); new ones still work. */
  cut(): void
  /** How many TCP connections the client has opened so far. */
  connections(): number
  close(): Promise<void>
}

export async function cuttableApi(sim: KubernetesSimulator): Promise<CuttableApi> {
  const target = new URL(sim.url)
  const sockets = new Set<net.Socket>()
  let connections = 0
  const server = net.createServer((client) => {
    connections++
    const upstream = net.connect(Number(target.port), target.hostname)
    sockets.add(client)
    sockets.add(upstream)
    client.pipe(upstream).pipe(client)
    const end = () => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    client.on('error', end).on('close', end)
    upstream.on('error', end).on('close', end)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  const kubeconfig = sim.kubeconfig().replaceAll(sim.url, `http://127.0.0.1:${port}`)
  const api = new KubernetesWorkloadApi(createKubeConfig({ kubeconfig, env: {} }).kubeConfig)
  return {
    api,
    cut: () => {
      for (const socket of sockets) socket.destroy()
      sockets.clear()
    },
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}

/** Resolves when `predicate` holds, checking every few ms (test helper only; the code under test never polls). */
export async function eventually(predicate: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
