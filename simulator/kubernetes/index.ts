/**
 * A Kubernetes API simulator for tests: a real HTTP server on 127.0.0.1 that
 * @kubernetes/client-node talks to through a generated kubeconfig, with simulated
 * Deployment, ReplicaSet, StatefulSet, DaemonSet, disruption, resource-quota and
 * garbage-collection controllers, a kubelet whose containers behave as configured per image,
 * CustomResourceDefinitions, and PodSecurity and ResourceQuota admission.
 * Known differences from a real cluster: simulator/kubernetes/DIFFERENCES.md.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ControllerLoop } from './controllers/controller-loop.js'
import { controllerTypes, type ControllerContext } from './controllers/controller-context.js'
import { DaemonSetController } from './controllers/daemonset-controller.js'
import { DeploymentController } from './controllers/deployment-controller.js'
import { DisruptionController } from './controllers/disruption-controller.js'
import { EventRecorder } from './controllers/event-recorder.js'
import { GarbageCollector } from './controllers/garbage-collector.js'
import { Kubelet, type SimulatedNode } from './controllers/kubelet.js'
import { ReplicaSetController } from './controllers/replicaset-controller.js'
import { ResourceQuotaController } from './controllers/resource-quota-controller.js'
import { StatefulSetController } from './controllers/statefulset-controller.js'
import { HttpApi } from './http-api.js'
import { ImageBehaviours } from './image-behaviours.js'
import type { KubeObject } from './kube-types.js'
import { renderKubeconfig } from './kubeconfig.js'
import { ObjectStore } from './object-store.js'
import { PodSecurityAdmission } from './pod-security.js'
import { QuotaAdmission } from './resource-quota.js'
import { ResourceOperations } from './resource-operations.js'
import { ResourceRegistry } from './resource-registry.js'
import type {
  DenyRule,
  KubernetesSimulator,
  KubernetesSimulatorOptions,
  RequestLogEntry,
  WriteLogEntry
} from './simulator-types.js'

export type {
  DenyRule,
  ImageBehaviour,
  KubeconfigOptions,
  KubernetesSimulator,
  KubernetesSimulatorOptions,
  RequestLogEntry,
  WriteLogEntry
} from './simulator-types.js'
export { ApiError } from './api-errors.js'
export { readCustomResourceDefinitions } from './crd-manifests.js'

const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease']

export async function startKubernetesSimulator(
  options: KubernetesSimulatorOptions = {}
): Promise<KubernetesSimulator> {
  const token = options.token ?? randomBytes(24).toString('hex')
  const defaultUser = options.user ?? 'admin'
  const users = new Map<string, string>([[token, defaultUser]])
  const tokenFor = (user: string): string => {
    if (user === defaultUser) return token
    const minted = createHash('sha256').update(`${token}\u0000${user}`).digest('hex')
    users.set(minted, user)
    return minted
  }

  const now = (): number => Date.now()
  const store = new ObjectStore(options.watchHistoryLimit ?? 10000)
  const registry = new ResourceRegistry()
  const requestLog: RequestLogEntry[] = []
  const writeLog: WriteLogEntry[] = []
  const denyRules: DenyRule[] = []
  const ops = new ResourceOperations(store, registry, now, (record) => {
    writeLog.push({
      time: now(),
      verb: record.verb,
      resource: record.type.resource,
      ...(record.subresource ? { subresource: record.subresource } : {}),
      ...(record.namespace ? { namespace: record.namespace } : {}),
      name: record.name,
      user: record.user
    })
  })

  // The apiserver's order of validating admission: PodSecurity before ResourceQuota.
  ops.useAdmission(new PodSecurityAdmission(store))
  ops.useAdmission(new QuotaAdmission(store))

  const types = controllerTypes(registry)
  for (const name of new Set([...systemNamespaces, ...(options.namespaces ?? [])])) {
    ops.create(types.namespaces, undefined, { metadata: { name } })
  }
  const crdType = registry.resolve('apiextensions.k8s.io/v1/customresourcedefinitions')
  for (const crd of options.customResourceDefinitions ?? []) ops.create(crdType, undefined, crd)
  const nodes: SimulatedNode[] = Array.from({ length: options.nodeCount ?? 3 }, (_, i) => ({
    name: `simulator-node-${i}`,
    ip: `10.0.0.${i + 2}`
  }))
  for (const node of nodes) {
    const created = ops.create(types.nodes, undefined, {
      metadata: {
        name: node.name,
        labels: {
          'kubernetes.io/hostname': node.name,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64'
        }
      },
      spec: {}
    })
    ops.update(
      types.nodes,
      undefined,
      node.name,
      {
        ...created,
        status: {
          addresses: [
            { type: 'InternalIP', address: node.ip },
            { type: 'Hostname', address: node.name }
          ],
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'KubeletReady',
              message: 'kubelet is posting ready status'
            }
          ]
        }
      },
      { subresource: 'status' }
    )
  }

  const images = new ImageBehaviours(options.defaultImageBehaviour ?? { kind: 'ready', delayMs: 20 })
  const ctx: ControllerContext = {
    ops,
    types,
    registry,
    images,
    now,
    events: new EventRecorder(ops, types.events, now)
  }
  const loop = new ControllerLoop(
    [
      new ResourceQuotaController(ctx),
      new DeploymentController(ctx),
      new ReplicaSetController(ctx),
      new StatefulSetController(ctx),
      new DaemonSetController(ctx),
      new Kubelet(ctx, nodes),
      new DisruptionController(ctx),
      new GarbageCollector(ctx, store)
    ],
    options.controllerTickMs ?? 10
  )

  const watches = new Set<() => void>()
  let address = ''
  const api = new HttpApi({
    ops,
    store,
    registry,
    users,
    denyRules,
    requestLog,
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 1000,
    serverAddress: () => address,
    watches
  })
  const server = createServer((request, response) => {
    void api.handle(request, response)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  address = `127.0.0.1:${port}`
  const url = `http://${address}`
  loop.start()

  const namespaceOf = (object: KubeObject): string | undefined => object.metadata?.namespace ?? 'default'

  return {
    url,
    token,
    kubeconfig: (kubeconfigOptions = {}) =>
      renderKubeconfig({
        server: url,
        user: kubeconfigOptions.user ?? defaultUser,
        token: tokenFor(kubeconfigOptions.user ?? defaultUser),
        ...(kubeconfigOptions.namespace ? { namespace: kubeconfigOptions.namespace } : {})
      }),
    tokenFor,
    setImageBehaviour: (image, behaviour) => images.set(image, behaviour),
    setImageDigest: (image, digest) => images.setDigest(image, digest),
    create: (object) => {
      const typed = object as KubeObject
      const type = registry.resolve(`${typed.apiVersion}/${typed.kind}`)
      return ops.create(type, type.namespaced ? namespaceOf(typed) : undefined, object)
    },
    update: (object) => {
      const typed = object as KubeObject
      const type = registry.resolve(`${typed.apiVersion}/${typed.kind}`)
      const body = { ...typed, metadata: { ...typed.metadata } }
      delete body.metadata.resourceVersion
      return ops.update(type, type.namespaced ? namespaceOf(typed) : undefined, typed.metadata.name!, body)
    },
    get: (resource, namespace, name) => {
      const type = registry.resolve(resource)
      const stored = ops.peek(type, type.namespaced ? (namespace ?? 'default') : undefined, name)
      return stored ? ops.get(type, type.namespaced ? (namespace ?? 'default') : undefined, name) : undefined
    },
    list: (resource, namespace) => ops.list(registry.resolve(resource), namespace),
    delete: (resource, namespace, name) => {
      const type = registry.resolve(resource)
      ops.delete(type, type.namespaced ? (namespace ?? 'default') : undefined, name)
    },
    requestLog,
    writeLog,
    denyRequests: (rule) => {
      denyRules.push(rule)
    },
    allowAllRequests: () => {
      denyRules.length = 0
    },
    compactWatchHistory: () => store.compact(),
    resourceVersion: () => String(store.resourceVersion),
    pause: () => loop.pause(),
    resume: () => loop.resume(),
    close: async () => {
      loop.stop()
      for (const end of [...watches]) end()
      watches.clear()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
    }
  }
}
