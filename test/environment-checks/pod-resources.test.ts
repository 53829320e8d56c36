import { describe, expect, it } from '@jest/globals'
import type { V1LimitRange, V1PodTemplateSpec } from '@kubernetes/client-node'
import { isBestEffort, podResources } from '../../src/environment-checks/pod-resources.js'
import { formatQuantity } from '../../src/environment-checks/quantity.js'
import { container } from './support/workloads.js'

const show = (map: Record<string, bigint>) =>
  Object.fromEntries(Object.entries(map).map(([k, v]) => [k, formatQuantity(v, { binary: k === 'memory' })]))

describe('podResources', () => {
  it('sums the regular containers', () => {
    const template: V1PodTemplateSpec = { spec: { containers: [container(), container({ name: 'worker' })] } }
    const resources = podResources(template)
    expect(show(resources.requests)).toEqual({ cpu: '500m', memory: '512Mi' })
    expect(show(resources.limits)).toEqual({ cpu: '1', memory: '1Gi' })
  })

  it('takes the largest init container when it exceeds the regular ones, with sidecars started before it', () => {
    const template: V1PodTemplateSpec = {
      spec: {
        initContainers: [
          container({
            name: 'proxy',
            restartPolicy: 'Always',
            resources: { requests: { cpu: '100m', memory: '64Mi' } }
          }),
          container({ name: 'migrate', resources: { requests: { cpu: '2', memory: '128Mi' } } })
        ],
        containers: [container({ resources: { requests: { cpu: '250m', memory: '256Mi' } } })]
      }
    }
    // Init phase: proxy 100m + migrate 2 = 2100m; running: app 250m + proxy 100m = 350m.
    expect(show(podResources(template).requests)).toEqual({ cpu: '2100m', memory: '320Mi' })
  })

  it('copies a limit into a missing request, then fills what is left from LimitRange defaults', () => {
    const limitRange: V1LimitRange = {
      metadata: { name: 'defaults' },
      spec: {
        limits: [
          {
            type: 'Container',
            default: { cpu: '1', memory: '1Gi' },
            defaultRequest: { cpu: '100m' }
          } as never
        ]
      }
    }
    const template: V1PodTemplateSpec = {
      spec: { containers: [container({ resources: { limits: { memory: '300Mi' } } })] }
    }
    const resources = podResources(template, [limitRange])
    expect(show(resources.requests)).toEqual({ cpu: '100m', memory: '300Mi' })
    expect(show(resources.limits)).toEqual({ cpu: '1', memory: '300Mi' })
  })

  it('adds the pod overhead to requests, and to limits only where a limit is set', () => {
    const template: V1PodTemplateSpec = {
      spec: {
        overhead: { cpu: '250m', memory: '120Mi' },
        containers: [
          container({ resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2' } } })
        ]
      }
    }
    const resources = podResources(template)
    expect(show(resources.requests)).toEqual({ cpu: '1250m', memory: '1144Mi' })
    expect(show(resources.limits)).toEqual({ cpu: '2250m' })
  })

  it('knows a BestEffort pod and names quantities that do not parse, without their values', () => {
    const bestEffort = podResources({ spec: { containers: [container({ resources: {} })] } })
    expect(isBestEffort(bestEffort)).toBe(true)
    const broken = podResources({
      spec: { containers: [container({ resources: { requests: { cpu: 'lots' } } })] }
    })
    expect(broken.invalid).toEqual(['app: requests.cpu'])
  })
})
