/**
 * Demo chapter: the environment checks catch what would otherwise surface after the rollout
 * has begun. A parity gate finds an env var staging has and production lacks; a config gate
 * finds a Secret key production's workload references and its Secret does not have (the pods
 * would stop with CreateContainerConfigError). Fixed, the gates pass, and the scheduled drift
 * report (the check sub-action) finds no drift. Runs the real dist/ bundles (npm run bundle).
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { launchAction, type BundleName, type LaunchResult } from '../../simulator/runner/launch-action.js'
import { SHA, type DemoWorld } from '../demo-world.js'
import { bold, cyan, dim, green, red, renderRunnerLine, renderSummary } from '../render-log.js'

const REPOSITORY = 'ghcr.io/acme/shop-checkout'
const CONFIG = '.github/promotion-checks.yml'

export async function environmentChecksChapter(world: DemoWorld): Promise<void> {
  console.log(`\n${cyan('━━ Environment checks: parity and configuration, before the rollout begins')}`)
  seed(world)
  writeFileSync(
    join(world.workspace, CONFIG),
    `environments:
  staging:
    namespace: shop-staging
    image: { repository: ${REPOSITORY} }
    targets: [{ name: checkout }]
  production:
    from: staging
    namespace: shop
    image: { repository: ${REPOSITORY} }
    targets: [{ name: checkout }]
    gates:
      - uses: parity
      - uses: config
        with: { secret-keys: true, required-env: [DATABASE_URL, API_KEY] }
`
  )
  console.log(
    dim(
      '  staging sets FEATURE_FLAGS_URL, production does not; production reads API_KEY from secret/checkout, which has only DATABASE_URL'
    )
  )
  await step(
    world,
    'gates before production: parity and config',
    'gate',
    { environment: 'production' },
    'failure'
  )

  console.log(dim('  fix: production gets FEATURE_FLAGS_URL, secret/checkout gets API_KEY'))
  const deployment = world.kubernetes.get('deployments', 'shop', 'checkout') as Deployment
  deployment.spec.template.spec.containers[0]!.env.push({
    name: 'FEATURE_FLAGS_URL',
    value: 'https://flags.example.com'
  })
  world.kubernetes.update(deployment)
  const secret = world.kubernetes.get('secrets', 'shop', 'checkout') as { data: Record<string, string> }
  world.kubernetes.update({
    ...secret,
    data: { ...secret.data, API_KEY: Buffer.from('demo-api-key').toString('base64') }
  })
  await step(world, 'gates before production, again', 'gate', { environment: 'production' }, 'success')

  console.log(
    dim('  on a schedule: the drift report across every environment pair (uses: org/promote-action/check@v1)')
  )
  await step(world, 'drift report', 'check', {}, 'success')
}

interface Deployment {
  spec: {
    template: { spec: { containers: { env: { name: string; value?: string; valueFrom?: object }[] }[] } }
  }
}

function seed(world: DemoWorld): void {
  const checkout = (namespace: string, image: string, env: object[]) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'checkout', namespace, labels: { app: 'checkout' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'checkout' } },
      template: {
        metadata: { labels: { app: 'checkout' } },
        spec: { containers: [{ name: 'checkout', image, env, ports: [{ containerPort: 8080 }] }] }
      }
    }
  })
  const fromSecret = (name: string) => ({
    name,
    valueFrom: { secretKeyRef: { name: 'checkout', key: name } }
  })
  world.kubernetes.create(
    checkout('shop-staging', `${REPOSITORY}:${SHA.release}`, [
      fromSecret('DATABASE_URL'),
      fromSecret('API_KEY'),
      { name: 'FEATURE_FLAGS_URL', value: 'https://flags.staging.example.com' }
    ])
  )
  world.kubernetes.create(
    checkout('shop', `${REPOSITORY}:${SHA.running}`, [fromSecret('DATABASE_URL'), fromSecret('API_KEY')])
  )
  const secret = (namespace: string, data: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'checkout', namespace },
    stringData: data
  })
  world.kubernetes.create(
    secret('shop-staging', { DATABASE_URL: 'postgres://staging-db/shop', API_KEY: 'staging-key' })
  )
  world.kubernetes.create(secret('shop', { DATABASE_URL: 'postgres://prod-db/shop' }))
}

let runs = 0

async function step(
  world: DemoWorld,
  title: string,
  bundle: BundleName,
  inputs: Record<string, string>,
  expect: 'success' | 'failure'
): Promise<LaunchResult> {
  console.log(`\n${bold(title)}`)
  console.log(
    dim(`  uses: org/promote-action/${bundle}@v1  with: ${JSON.stringify({ ...inputs, config: CONFIG })}`)
  )
  const result = await launchAction({
    bundle,
    cwd: world.workspace,
    inputs: {
      'github-token': world.github.token,
      kubeconfig: world.kubernetes.kubeconfig(),
      config: CONFIG,
      sha: SHA.release,
      ...inputs
    },
    env: {
      GITHUB_API_URL: world.github.url,
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_SHA: SHA.release,
      GITHUB_RUN_ID: String(7900 + ++runs)
    },
    onLine: (line) => {
      const shown = renderRunnerLine(line)
      if (shown !== undefined) console.log(shown)
    }
  })
  if (result.summary.trim()) console.log(`  ${dim('job summary:')}\n${renderSummary(result.summary)}`)
  const ok = result.exitCode === 0
  const asExpected = expect === (ok ? 'success' : 'failure')
  console.log(
    `  ${ok ? green('✔ step succeeded') : red('✘ step failed')}${asExpected ? dim(' (as expected)') : red(' (NOT as expected)')}`
  )
  if (!asExpected) process.exitCode = 1
  return result
}
