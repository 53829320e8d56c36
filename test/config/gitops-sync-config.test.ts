import { describe, expect, it } from '@jest/globals'
import { parsePromotionConfig } from '../../src/config/parse-config.js'
import { ConfigurationError } from '../../src/runtime/errors.js'

const gitops = (sync: string, extra = '') => `
defaults:
  gitops: { sync: { timeout: 3m } }
environments:
  production:
    mode: gitops
${extra}    gitops:
      path: environments/production/kustomization.yaml
      image-name: api
      sync: ${sync}
`

const problemsOf = (yaml: string): string[] => {
  try {
    parsePromotionConfig(yaml, 'promotion.yml')
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems.map((p) => `${p.path}: ${p.expected}`)
    throw error
  }
  throw new Error('expected a configuration error')
}

describe('gitops.sync in the promotion config', () => {
  it('fills Argo CD and Flux defaults, and takes the timeout from the defaults layer', () => {
    const argo = parsePromotionConfig(gitops('{ argocd: { application: web } }'), 'p.yml').environments.get(
      'production'
    )!
    expect(argo.gitops?.sync).toEqual({
      argocd: { application: 'web', namespace: 'argocd' },
      timeout: 180_000,
      'wait-for-sync': true
    })
    const flux = parsePromotionConfig(
      gitops('{ flux: { name: apps }, wait-for-sync: false }'),
      'p.yml'
    ).environments.get('production')!
    expect(flux.gitops?.sync).toMatchObject({
      flux: { kind: 'Kustomization', name: 'apps', namespace: 'flux-system' },
      'wait-for-sync': false
    })
    expect(argo.rollout['gitops-managed']).toBe('fail')
  })

  it('wants exactly one engine, and a cluster of the environment', () => {
    expect(problemsOf(gitops('{ timeout: 1m }'))).toContain(
      'promotion.yml: environments.production.gitops.sync: exactly one of argocd or flux'
    )
    expect(problemsOf(gitops('{ argocd: { application: web }, flux: { name: apps } }'))).toContain(
      'promotion.yml: environments.production.gitops.sync: exactly one of argocd or flux'
    )
    expect(
      problemsOf(
        gitops(
          '{ argocd: { application: web, cluster: hub } }',
          '    clusters: [{ name: eu }, { name: us }]\n'
        )
      )
    ).toContain(
      "promotion.yml: environments.production.gitops.sync.argocd.cluster: one of the environment's clusters (eu, us)"
    )
  })

  it('refuses an unknown Flux kind', () => {
    expect(problemsOf(gitops('{ flux: { kind: GitRepository, name: apps } }')).join('\n')).toContain(
      'environments.production.gitops.sync.flux.kind'
    )
  })
})
