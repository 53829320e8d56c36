import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as k8s from '@kubernetes/client-node'
import { parse } from 'yaml'
import { startGitHubEmulator, type GitHubEmulator } from '../../../../simulator/github/index.js'
import { ArgoCdPlayer } from '../../../../simulator/gitops/argocd-player.js'
import {
  readCustomResourceDefinitions,
  startKubernetesSimulator,
  type KubernetesSimulator
} from '../../../../simulator/kubernetes/index.js'
import { gitHubClients } from '../../../../src/github/run-clients.js'
import { RecordingLogger } from '../../../../src/runtime/logger.js'
import { systemClock } from '../../../../src/runtime/clock.js'
import type { StageContext } from '../../../../src/runtime/run-stage.js'
import { readWorkflowContext } from '../../../../src/runtime/workflow-context.js'
import { readPromoteSettings } from '../../../../src/settings/promote-settings.js'
import { PROMOTION_STEPS } from '../../../../src/stages/promote/promotion-steps.js'
import type { PromotionStep } from '../../../../src/steps/promotion-step.js'
import { PromotionRun, type PromotionServices } from '../../../../src/steps/promotion-run.js'
import { runSteps } from '../../../../src/steps/run-steps.js'
import { ClusterConnector } from '../../../../src/targets/connect-clusters.js'
import { MemoryIO } from '../../../support/memory-io.js'

export const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'
export const PATH = 'environments/staging/kustomization.yaml'
export const REPO = 'ghcr.io/acme/api'
export const OLD = `${REPO}:1.0.0`
export const NEW = `${REPO}:2.0.0`
export const CRASH = `${REPO}:crash`
/** CRLF line endings and a comment: a revert must restore these bytes exactly. */
export const KUSTOMIZATION =
  '# staging overlay\r\nresources:\r\n- ../../base\r\nimages:\r\n- name: api\r\n  newName: ghcr.io/acme/api\r\n  newTag: "1.0.0" # promoted\r\n'

export function gitOpsConfig(
  sync = 'argocd: { application: web }\n        timeout: 20s',
  options: { merge?: 'auto' | 'manual' } = {}
): string {
  return `
version: 1
environments:
  staging:
    mode: gitops
    namespace: shop
    targets:
      - name: api
    rollout:
      fail-fast:
        restart-threshold: 2
    gitops:
      path: ${PATH}
      image-name: api
      merge: ${options.merge ?? 'auto'}
      sync:
        ${sync}
`
}

export interface GitOpsWorld {
  sim: KubernetesSimulator
  github: GitHubEmulator
  argo: ArgoCdPlayer
  kubeConfig: k8s.KubeConfig
  workspace: string
  /** Plays Argo CD for every refresh until close(): syncs main's head, applying the image it names. */
  followMain(): void
  /** Real git on the emulator's repository. */
  git(...args: string[]): string
  /** Rewrites the promotion config (e.g. merge: manual for the verify tests). */
  writeConfig(config: string): void
  /** The promote stage's GitOps steps, in process. */
  promote(options?: {
    inputs?: Record<string, string>
    services?: Partial<PromotionServices>
    /** Called as each step returns, with Date.now() (the bench's latency figures). */
    onStepEnd?: (step: string, at: number) => void
  }): Promise<{
    io: MemoryIO
    logger: RecordingLogger
    run: PromotionRun
    error?: unknown
  }>
  close(): Promise<void>
}

export async function startGitOpsWorld(config = gitOpsConfig()): Promise<GitOpsWorld> {
  const sim = await startKubernetesSimulator({
    namespaces: ['argocd', 'shop'],
    controllerTickMs: 2,
    customResourceDefinitions: readCustomResourceDefinitions('cluster/crds')
  })
  sim.setImageBehaviour(CRASH, { kind: 'crash-loop', afterMs: 5 })
  sim.create({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', namespace: 'shop', labels: { app: 'api' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'api' } },
      template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'app', image: OLD }] } }
    }
  })
  const github = await startGitHubEmulator({ owner: 'acme', repo: 'shop' })
  // merge: auto then merges a clean pull request at once.
  github.setRepositorySettings({ allow_auto_merge: true })
  const initial = github.putFile(PATH, KUSTOMIZATION)
  const workspace = mkdtempSync(join(tmpdir(), 'gitops-sync-'))
  writeFileSync(join(workspace, 'promotion.yml'), config)
  const kubeConfig = new k8s.KubeConfig()
  kubeConfig.loadFromString(sim.kubeconfig())
  const apps = kubeConfig.makeApiClient(k8s.AppsV1Api)
  const argo = new ArgoCdPlayer({ kubeConfig, namespace: 'argocd', name: 'web' })
  await argo.create(initial, 'shop')
  const git = (...args: string[]) =>
    execFileSync('git', ['--git-dir', github.gitDir, ...args], { encoding: 'utf8' }).replace(/\n$/, '')
  const stop = new AbortController()
  let following: Promise<unknown> = Promise.resolve()

  return {
    sim,
    github,
    argo,
    kubeConfig,
    workspace,
    git,
    writeConfig(text) {
      writeFileSync(join(workspace, 'promotion.yml'), text)
    },
    followMain() {
      following = argo.follow({
        head: () => git('rev-parse', 'main'),
        apply: async (revision) => {
          const image = imageIn(git('show', `${revision}:${PATH}`))
          await apps.patchNamespacedDeployment(
            {
              name: 'api',
              namespace: 'shop',
              body: { spec: { template: { spec: { containers: [{ name: 'app', image }] } } } }
            },
            k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch)
          )
        },
        deployment: { namespace: 'shop', name: 'api' },
        signal: stop.signal,
        healthTimeoutMs: 3000
      })
    },
    async promote(options = {}) {
      const io = new MemoryIO({
        environment: 'staging',
        config: 'promotion.yml',
        kubeconfig: sim.kubeconfig(),
        'github-token': github.token,
        image: NEW,
        ...options.inputs
      })
      const logger = new RecordingLogger()
      const env: NodeJS.ProcessEnv = {
        GITHUB_WORKSPACE: workspace,
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_API_URL: github.url,
        GITHUB_REPOSITORY: 'acme/shop',
        GITHUB_RUN_ID: '4242',
        GITHUB_SHA: SHA,
        RUNNER_TEMP: tmpdir()
      }
      const context: StageContext = {
        logger,
        io,
        env,
        workflow: readWorkflowContext(env),
        signal: new AbortController().signal
      }
      const settings = await readPromoteSettings(io, context.workflow)
      const connector = new ClusterConnector({ kubeconfig: settings.kubeconfig, env, logger })
      const run = new PromotionRun(
        context,
        settings,
        { clock: systemClock, ...options.services },
        connector.reachableClusters(settings.environment),
        connector,
        gitHubClients({ token: settings.githubToken, workflow: context.workflow, logger })
      )
      const timed = (step: PromotionStep<unknown>): PromotionStep<unknown> =>
        options.onStepEnd
          ? {
              ...step,
              run: async (r, c) => {
                const result = await step.run(r, c)
                options.onStepEnd!(step.name, Date.now())
                return result
              }
            }
          : step
      const steps = PROMOTION_STEPS.gitops.map(timed)
      let error: unknown
      try {
        await runSteps(steps, run)
      } catch (caught) {
        error = caught
      }
      return { io, logger, run, ...(error !== undefined ? { error } : {}) }
    },
    async close() {
      stop.abort()
      await following.catch(() => undefined)
      await Promise.all([sim.close(), github.close()])
      rmSync(workspace, { recursive: true, force: true })
    }
  }
}

/** The image a kustomization's `images[name=api]` entry names. */
export function imageIn(kustomization: string): string {
  const doc = parse(kustomization) as {
    images?: Array<{ name: string; newName?: string; newTag?: string; digest?: string }>
  }
  const entry = doc.images?.find((i) => i.name === 'api')
  if (!entry) throw new Error('no images entry for api')
  const name = entry.newName ?? entry.name
  return entry.digest ? `${name}@${entry.digest}` : `${name}:${entry.newTag}`
}
