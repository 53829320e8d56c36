import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startGitHubEmulator, type GitHubEmulator } from '../../../simulator/github/index.js'
import {
  readCustomResourceDefinitions,
  startKubernetesSimulator,
  type KubernetesSimulator
} from '../../../simulator/kubernetes/index.js'
import type { InputName } from '../../../src/runtime/action-io.js'
import { RecordingLogger } from '../../../src/runtime/logger.js'
import { runStage } from '../../../src/runtime/run-stage.js'
import { checkStage } from '../../../src/stages/check/check-stage.js'
import { rootStage } from '../../../src/stages/root/root-stage.js'
import { MemoryIO } from '../../support/memory-io.js'

export const SHA = '4b825dc642cb6eb9a060e54bf8d69288fbee4904'
export const REPOSITORY = 'ghcr.io/acme/shop-web'
export const ENVIRONMENTS = [
  { name: 'development', namespace: 'shop-dev', replicas: 1 },
  { name: 'staging', namespace: 'shop-staging', replicas: 2 },
  { name: 'production', namespace: 'shop', replicas: 3 }
] as const

export interface CheckRun {
  io: MemoryIO
  logger: RecordingLogger
  ms: number
  report: DriftJson
}

/** The parts of the report output the tests read. */
export interface DriftJson {
  schemaVersion: number
  drift: boolean
  environments: {
    environment: string
    upstream?: string
    drift: boolean
    checks: {
      check: string
      name: string
      configured: boolean
      status: string
      summary: string
      findings: unknown[]
    }[]
  }[]
}

export interface CheckWorld {
  sim: KubernetesSimulator
  github: GitHubEmulator
  workspace: string
  config(yaml: string): void
  write(path: string, content: string): void
  /** Runs the check stage; with `root`, through the root action's `stage: check`. */
  run(inputs?: Partial<Record<InputName, string>>, options?: { root?: boolean }): Promise<CheckRun>
  close(): Promise<void>
}

export async function startCheckWorld(options: { crds?: boolean } = {}): Promise<CheckWorld> {
  const sim = await startKubernetesSimulator({
    namespaces: ENVIRONMENTS.map((e) => e.namespace),
    controllerTickMs: 2,
    ...(options.crds ? { customResourceDefinitions: readCustomResourceDefinitions('cluster/crds') } : {})
  })
  const github = await startGitHubEmulator({ owner: 'acme', repo: 'shop' })
  const workspace = mkdtempSync(join(tmpdir(), 'check-stage-'))
  return {
    sim,
    github,
    workspace,
    config(yaml) {
      writeFileSync(join(workspace, 'promotion.yml'), yaml)
    },
    write(path, content) {
      writeFileSync(join(workspace, path), content)
    },
    async run(inputs = {}, options = {}) {
      const io = new MemoryIO({
        config: 'promotion.yml',
        'github-token': github.token,
        kubeconfig: sim.kubeconfig(),
        ...inputs
      })
      const logger = new RecordingLogger()
      const env: NodeJS.ProcessEnv = {
        GITHUB_REPOSITORY: 'acme/shop',
        GITHUB_API_URL: github.url,
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_WORKSPACE: workspace,
        GITHUB_SHA: SHA,
        GITHUB_RUN_ID: '6160',
        GITHUB_RUN_ATTEMPT: '1',
        GITHUB_EVENT_NAME: 'schedule'
      }
      const started = performance.now()
      await runStage((context) => (options.root ? rootStage(context) : checkStage(context)), {
        logger,
        io,
        env
      })
      const ms = performance.now() - started
      return { io, logger, ms, report: io.outputs['report'] ? JSON.parse(io.outputs['report']) : undefined }
    },
    async close() {
      await Promise.all([sim.close(), github.close()])
      rmSync(workspace, { recursive: true, force: true })
    }
  }
}

/** The three environments, each targeting `names` (default: web), production with the seed's PDB floor. */
export function threeEnvironments(options: { names?: string[]; production?: string } = {}): string {
  const targets = (options.names ?? ['web']).map((name) => `{ name: ${name} }`).join(', ')
  return `defaults:
  image: { repository: ${REPOSITORY} }
  targets: [${targets}]
environments:
  development:
    namespace: shop-dev
  staging:
    from: development
    namespace: shop-staging
  production:
    from: staging
    production: true
    namespace: shop
${options.production ?? ''}`
}

export interface AppOptions {
  name?: string
  replicas?: number
  env?: { name: string; value?: string; valueFrom?: object }[]
}

export function app(namespace: string, o: AppOptions = {}) {
  const name = o.name ?? 'web'
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas: o.replicas ?? 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: 'app',
              image: `${REPOSITORY}:${SHA}`,
              env: o.env ?? [{ name: 'LOG_LEVEL', value: 'info' }],
              ports: [{ containerPort: 8080 }],
              resources: { requests: { cpu: '100m', memory: '64Mi' } }
            }
          ]
        }
      }
    }
  }
}

export function pdb(namespace: string, name = 'web', minAvailable = 2) {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: `${name}-pdb`, namespace },
    spec: { minAvailable, selector: { matchLabels: { app: name } } }
  }
}
