import type {
  V1Container,
  V1DaemonSet,
  V1Deployment,
  V1DeploymentStrategy,
  V1PodSpec,
  V1StatefulSet
} from '@kubernetes/client-node'

/** Workload fixtures as the API returns them from a list: plain JSON, no `kind`. */

export const APP_LABELS = { app: 'my-app' }

export function container(overrides: Partial<V1Container> = {}): V1Container {
  return {
    name: 'app',
    image: 'my-registry/my-app:abc123',
    ports: [{ containerPort: 8080, protocol: 'TCP' }],
    readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
    livenessProbe: { httpGet: { path: '/live', port: 8080 } },
    resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
    ...overrides
  }
}

export function deployment(
  options: {
    replicas?: number
    strategy?: V1DeploymentStrategy
    pod?: Partial<V1PodSpec>
    labels?: Record<string, string>
    name?: string
  } = {}
): V1Deployment {
  return {
    metadata: { name: options.name ?? 'my-app', namespace: 'production', generation: 1 },
    spec: {
      replicas: options.replicas ?? 3,
      selector: { matchLabels: APP_LABELS },
      ...(options.strategy ? { strategy: options.strategy } : {}),
      template: {
        metadata: { labels: options.labels ?? { ...APP_LABELS, tier: 'web' } },
        spec: { containers: [container()], ...options.pod }
      }
    }
  }
}

export function statefulSet(
  options: { replicas?: number; maxUnavailable?: number | string; onDelete?: boolean } = {}
): V1StatefulSet {
  return {
    metadata: { name: 'db', namespace: 'production' },
    spec: {
      replicas: options.replicas ?? 3,
      serviceName: 'db',
      selector: { matchLabels: { app: 'db' } },
      updateStrategy: options.onDelete
        ? { type: 'OnDelete' }
        : {
            type: 'RollingUpdate',
            ...(options.maxUnavailable !== undefined
              ? { rollingUpdate: { maxUnavailable: options.maxUnavailable } }
              : {})
          },
      template: { metadata: { labels: { app: 'db' } }, spec: { containers: [container({ name: 'db' })] } }
    }
  }
}

export function daemonSet(
  options: { desired?: number; maxSurge?: number | string; maxUnavailable?: number | string } = {}
): V1DaemonSet {
  const rollingUpdate = {
    ...(options.maxSurge !== undefined ? { maxSurge: options.maxSurge } : {}),
    ...(options.maxUnavailable !== undefined ? { maxUnavailable: options.maxUnavailable } : {})
  }
  return {
    metadata: { name: 'agent', namespace: 'production' },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate },
      template: {
        metadata: { labels: { app: 'agent' } },
        spec: { containers: [container({ name: 'agent' })] }
      }
    },
    status: {
      desiredNumberScheduled: options.desired ?? 4,
      currentNumberScheduled: options.desired ?? 4,
      numberMisscheduled: 0,
      numberReady: options.desired ?? 4
    }
  }
}
