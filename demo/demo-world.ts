/**
 * The local simulated environment the demo runs in: a Kubernetes API simulator with a
 * shop-web Deployment in three namespaces, an OpenAPI-validated GitHub emulator holding
 * the checks of the commits being promoted, and health endpoints that serve whatever
 * version each environment's Deployment runs now, like a real app's /healthz would.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startGitHubEmulator, type GitHubEmulator } from '../simulator/github/index.js'
import { startHealthServer, type HealthServer } from '../simulator/health/index.js'
import { startKubernetesSimulator, type KubernetesSimulator } from '../simulator/kubernetes/index.js'

export const REPOSITORY = 'ghcr.io/acme/shop-web'
export const SHA = {
  running: '1111111111111111111111111111111111111111',
  release: '2222222222222222222222222222222222222222',
  crashing: 'c0ffee0000000000000000000000000000000bad',
  next: '3333333333333333333333333333333333333333'
}
/** Images are tagged with the short SHA, as most teams tag them (the config's `${short-sha}`). */
export const imageOf = (sha: string) => `${REPOSITORY}:${sha.slice(0, 7)}`

export const ENVIRONMENTS = [
  { name: 'development', namespace: 'shop-dev', replicas: 1, path: '/dev/healthz' },
  { name: 'staging', namespace: 'shop-staging', replicas: 2, path: '/staging/healthz' },
  { name: 'production', namespace: 'shop', replicas: 3, path: '/prod/healthz' }
] as const

export interface DemoWorld {
  kubernetes: KubernetesSimulator
  github: GitHubEmulator
  health: HealthServer
  workspace: string
  /** Makes a release misbuilt: while an environment runs it, its /healthz reports another version. */
  misbuild(sha: string): void
  runningImage(namespace: string): string
  close(): Promise<void>
}

export async function startDemoWorld(config: (urls: Record<string, string>) => string): Promise<DemoWorld> {
  const kubernetes = await startKubernetesSimulator({ namespaces: ENVIRONMENTS.map((e) => e.namespace) })
  const github = await startGitHubEmulator({ owner: 'acme', repo: 'shop' })
  const health = await startHealthServer()

  kubernetes.setImageBehaviour(imageOf(SHA.crashing), { kind: 'crash-loop', afterMs: 300 })
  for (const env of ENVIRONMENTS) {
    kubernetes.create(deployment(env.namespace, env.replicas, imageOf(SHA.running)))
  }
  kubernetes.create({
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'web-pdb', namespace: 'shop' },
    spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } }
  })

  // Each release has a registry digest; an app promoted by digest still reports its commit.
  const digests = new Map<string, string>()
  const tags = new Map<string, string>()
  for (const sha of Object.values(SHA)) {
    const digest = `sha256:${createHash('sha256').update(sha).digest('hex')}`
    kubernetes.setImageDigest(imageOf(sha), digest)
    digests.set(`${REPOSITORY}@${digest}`, sha)
    tags.set(sha.slice(0, 7), sha)
  }
  const runningImage = (namespace: string) => {
    const d = kubernetes.get('deployments', namespace, 'web') as {
      spec: { template: { spec: { containers: { image: string }[] } } }
    }
    return d.spec.template.spec.containers[0]!.image
  }
  const versionOf = (image: string) => {
    const [name, digest] = image.split('@')
    if (digest) return digests.get(`${REPOSITORY}@${digest}`) ?? digest
    const tag = name!.split(':').pop()!
    return tags.get(tag) ?? tag
  }
  const misbuilt = new Set<string>()
  for (const env of ENVIRONMENTS)
    health.route(env.path, {
      kind: 'version',
      version: () => {
        const version = versionOf(runningImage(env.namespace))
        return misbuilt.has(version) ? '0.0.0-misbuilt' : version
      }
    })

  for (const sha of [SHA.release, SHA.crashing, SHA.next])
    for (const name of [
      'unit-tests',
      'lint',
      'typecheck',
      'build-image',
      'integration-tests-staging',
      'migrate-against-staging-data'
    ])
      github.addCheckRun({ head_sha: sha, name, status: 'completed', conclusion: 'success' })
  github.setEnvironment('production', {
    protection_rules: [{ type: 'required_reviewers', reviewers: [{ type: 'Team', slug: 'on-call' }] }]
  } as never)

  const workspace = mkdtempSync(join(tmpdir(), 'promote-demo-'))
  mkdirSync(join(workspace, '.github'), { recursive: true })
  const urls = Object.fromEntries(ENVIRONMENTS.map((e) => [e.name, `${health.url}${e.path}`]))
  writeFileSync(join(workspace, '.github', 'promotion.yml'), config(urls))

  return {
    kubernetes,
    github,
    health,
    workspace,
    runningImage,
    misbuild(sha) {
      misbuilt.add(sha)
    },
    async close() {
      await Promise.all([kubernetes.close(), github.close(), health.close()])
    }
  }
}

function deployment(namespace: string, replicas: number, image: string): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace, labels: { app: 'web' } },
    spec: {
      replicas,
      progressDeadlineSeconds: 60,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image, ports: [{ containerPort: 8080 }] }] }
      }
    }
  }
}
