/**
 * The promotion config the demo writes into its workspace: the seed's three environments
 * with the gates the seed lists between them, short timings so the demo runs in about a
 * minute, and health checks on the demo's own endpoints (`${sha}` is the promoted commit).
 */
export function demoConfig(urls: Record<string, string>): string {
  const health = (env: string) => `
    health:
      http:
        - name: healthz
          url: ${urls[env]}
          expect:
            json: [{ path: version, equals: '\${sha}' }]
      policy: { consecutive-successes: 3, soak: 1s, deadline: 8s }`
  return `# .github/promotion.yml (demo)
defaults:
  image: { repository: ghcr.io/acme/shop-web, tag: '\${short-sha}' }
  targets: [{ kind: Deployment, name: web, containers: [web] }]
  rollout: { timeout: 60s }
  lock: { lease-duration: 5s, timeout: 60s }

environments:
  development:
    namespace: shop-dev
    url: ${urls['development']}
    ${health('development').trim()}

  staging:
    from: development
    namespace: shop-staging
    url: ${urls['staging']}
    gates:
      - uses: required-checks
        name: unit tests, lint, type checks, image built
        with: { checks: [unit-tests, lint, typecheck, build-image] }
    ${health('staging').trim()}
      on-failure: rollback

  production:
    from: staging
    production: true
    namespace: shop
    url: ${urls['production']}
    gates:
      - uses: upstream-deployed
      - uses: upstream-running
      - uses: required-checks
        name: integration tests against staging
        with: { checks: [integration-tests-staging] }
      - uses: security
        with: { severity: critical }
      - uses: approval
      - uses: migration
        with: { check: migrate-against-staging-data }
      - uses: concurrency
    ${health('production').trim()}
      kubernetes:
        pod-disruption-budgets: [{ name: web-pdb, min-disruptions-allowed: 1 }]
      on-failure: rollback
`
}
