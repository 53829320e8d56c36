/** Workload manifests for integration tests: small, valid, with labels that select their pods. */

export interface WorkloadFixture {
  name: string
  namespace?: string
  image: string
  replicas?: number
  initImage?: string
  /** Extra containers: name -> image. */
  sidecars?: Record<string, string>
  progressDeadlineSeconds?: number
  revisionHistoryLimit?: number
}

function podTemplate(f: WorkloadFixture) {
  return {
    metadata: { labels: { app: f.name } },
    spec: {
      ...(f.initImage ? { initContainers: [{ name: 'init', image: f.initImage }] } : {}),
      containers: [
        { name: 'app', image: f.image },
        ...Object.entries(f.sidecars ?? {}).map(([name, image]) => ({ name, image }))
      ]
    }
  }
}

export function deploymentManifest(f: WorkloadFixture) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: f.name, namespace: f.namespace ?? 'default', labels: { app: f.name } },
    spec: {
      replicas: f.replicas ?? 2,
      selector: { matchLabels: { app: f.name } },
      ...(f.progressDeadlineSeconds !== undefined
        ? { progressDeadlineSeconds: f.progressDeadlineSeconds }
        : {}),
      ...(f.revisionHistoryLimit !== undefined ? { revisionHistoryLimit: f.revisionHistoryLimit } : {}),
      template: podTemplate(f)
    }
  }
}

export function statefulSetManifest(f: WorkloadFixture) {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: f.name, namespace: f.namespace ?? 'default', labels: { app: f.name } },
    spec: {
      replicas: f.replicas ?? 2,
      serviceName: f.name,
      selector: { matchLabels: { app: f.name } },
      template: podTemplate(f)
    }
  }
}

export function daemonSetManifest(f: WorkloadFixture) {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: f.name, namespace: f.namespace ?? 'default', labels: { app: f.name } },
    spec: { selector: { matchLabels: { app: f.name } }, template: podTemplate(f) }
  }
}
