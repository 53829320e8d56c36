import { describe, expect, it } from '@jest/globals'
import type { V1Deployment } from '@kubernetes/client-node'
import { ContainerSelectionError, planSetImage } from '../../../src/kubernetes/rollout/set-image-patch.js'

const promotedAt = new Date('2026-11-26T10:00:00Z')
const SHA = 'sha256:' + 'c'.repeat(64)

function deployment(
  containers: Record<string, string>,
  initContainers: Record<string, string> = {}
): V1Deployment {
  const list = (entries: Record<string, string>) =>
    Object.entries(entries).map(([name, image]) => ({ name, image }))
  return {
    metadata: { name: 'api' },
    spec: {
      selector: {},
      template: { spec: { containers: list(containers), initContainers: list(initContainers) } }
    }
  }
}

describe('planSetImage', () => {
  it('patches every container from the same repository, with the promotion annotations', () => {
    const plan = planSetImage(
      'Deployment',
      deployment({ app: 'ghcr.io/acme/api:v1', proxy: 'envoy:1.30' }, { migrate: 'ghcr.io/acme/api:v1' }),
      {
        image: 'ghcr.io/acme/api:v2',
        sourceSha: 'abc1234',
        actor: 'octocat',
        runUrl: 'https://github.com/acme/api/actions/runs/1',
        promotedAt
      }
    )
    expect(plan).toEqual({
      status: 'patch',
      changes: [
        { container: 'migrate', initContainer: true, from: 'ghcr.io/acme/api:v1', to: 'ghcr.io/acme/api:v2' },
        { container: 'app', initContainer: false, from: 'ghcr.io/acme/api:v1', to: 'ghcr.io/acme/api:v2' }
      ],
      unchanged: [],
      patch: {
        metadata: {
          annotations: {
            'kubernetes.io/change-cause':
              'promote-action: set image migrate=ghcr.io/acme/api:v2, app=ghcr.io/acme/api:v2 (source abc1234, by octocat, run https://github.com/acme/api/actions/runs/1)',
            'promote-action.io/source-sha': 'abc1234',
            'promote-action.io/run-url': 'https://github.com/acme/api/actions/runs/1',
            'promote-action.io/previous-images':
              '{"migrate":"ghcr.io/acme/api:v1","app":"ghcr.io/acme/api:v1"}',
            'promote-action.io/promoted-at': '2026-11-26T10:00:00.000Z'
          }
        },
        spec: {
          template: {
            spec: {
              containers: [{ name: 'app', image: 'ghcr.io/acme/api:v2' }],
              initContainers: [{ name: 'migrate', image: 'ghcr.io/acme/api:v2' }]
            }
          }
        }
      }
    })
  })

  it('matches Docker Hub repositories after normalisation', () => {
    const plan = planSetImage('Deployment', deployment({ web: 'docker.io/library/nginx:1.26' }), {
      image: 'nginx:1.27',
      promotedAt
    })
    expect(plan.status === 'patch' && plan.changes.map((c) => c.container)).toEqual(['web'])
  })

  it('patches named containers whatever their repository', () => {
    const plan = planSetImage(
      'Deployment',
      deployment({ app: 'ghcr.io/acme/old-name:v1', proxy: 'envoy:1.30' }),
      { image: 'ghcr.io/acme/api:v2', containers: ['app'], promotedAt }
    )
    expect(plan.status === 'patch' && plan.patch.spec.template.spec).toEqual({
      containers: [{ name: 'app', image: 'ghcr.io/acme/api:v2' }]
    })
  })

  it('names the unknown container and lists the ones that exist', () => {
    const run = () =>
      planSetImage('Deployment', deployment({ app: 'a:1', proxy: 'b:1' }), {
        image: 'a:2',
        containers: ['ap'],
        promotedAt
      })
    expect(run).toThrow(ContainerSelectionError)
    expect(run).toThrow('unable to find container named ap in deployment/api (containers: app, proxy)')
  })

  it('says which images run when no container is from the promoted repository', () => {
    expect(() =>
      planSetImage('StatefulSet', deployment({ app: 'ghcr.io/acme/web:1' }), {
        image: 'ghcr.io/acme/api:2',
        promotedAt
      })
    ).toThrow(
      'no container in statefulset/api runs an image from ghcr.io/acme/api (containers: app=ghcr.io/acme/web:1); name the containers to update'
    )
  })

  it.each([
    ['the same text', 'ghcr.io/acme/api:v2', 'ghcr.io/acme/api:v2'],
    ['the normalised Docker Hub name', 'docker.io/library/nginx:1', 'nginx:1'],
    ['the same digest under another tag', `ghcr.io/acme/api:v1@${SHA}`, `ghcr.io/acme/api:v2@${SHA}`]
  ])('reports a workload already running %s, with no patch', (_case, current, image) => {
    expect(planSetImage('Deployment', deployment({ app: current }), { image, promotedAt })).toEqual({
      status: 'already-current',
      unchanged: ['app'],
      message: `deployment/api already runs ${image} (app)`
    })
  })

  it('patches only the containers not yet on the image', () => {
    const plan = planSetImage('Deployment', deployment({ app: 'api:v2', worker: 'api:v1' }), {
      image: 'api:v2',
      promotedAt
    })
    expect(plan).toMatchObject({
      status: 'patch',
      unchanged: ['app'],
      changes: [{ container: 'worker', from: 'api:v1' }]
    })
  })

  it('leaves out annotations it has no value for', () => {
    const plan = planSetImage('Deployment', deployment({ app: 'api:v1' }), { image: 'api:v2', promotedAt })
    expect(plan.status === 'patch' && Object.keys(plan.patch.metadata.annotations).sort()).toEqual([
      'kubernetes.io/change-cause',
      'promote-action.io/previous-images',
      'promote-action.io/promoted-at'
    ])
  })
})
