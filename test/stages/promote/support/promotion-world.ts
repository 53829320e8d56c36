import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { startGitHubEmulator, type GitHubEmulator } from '../../../../simulator/github/index.js'
import { startKubernetesSimulator } from '../../../../simulator/kubernetes/index.js'
import type {
  KubernetesSimulator,
  KubernetesSimulatorOptions
} from '../../../../simulator/kubernetes/simulator-types.js'
import {
  launchAction,
  type LaunchOptions,
  type LaunchResult
} from '../../../../simulator/runner/launch-action.js'
import { MemoryIO } from '../../../support/memory-io.js'
export { MemoryIO }
import { RecordingLogger } from '../../../../src/runtime/logger.js'
import type { StageContext } from '../../../../src/runtime/run-stage.js'
import { readWorkflowContext } from '../../../../src/runtime/workflow-context.js'
import {
  promote,
  type PromotionReport,
  type PromotionServices
} from '../../../../src/stages/promote/promote-stage.js'

export const REPO = 'ghcr.io/acme/api'
export const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'
export const OLD = `${REPO}:1.0.0`
export const NEW = `${REPO}:2.0.0`
export const NAMESPACE = 'shop'

/**
 * Where the promote bundle is: PROMOTE_ACTION_DIST, else dist/. When neither holds one, a
 * private bundle is built with esbuild into .tmp (same entry, same runner protocol).
 */
export function promoteDist(): string {
  const dist = resolve(process.env['PROMOTE_ACTION_DIST'] ?? 'dist')
  if (existsSync(join(dist, 'promote', 'index.js'))) return dist
  const own = resolve('.tmp/dist-promote-test')
  const entry = join(own, 'promote', 'index.js')
  if (!existsSync(entry))
    execFileSync(resolve('node_modules/.bin/esbuild'), [
      'src/entrypoints/promote.ts',
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--target=node24',
      `--outfile=${entry}`,
      "--banner:js=import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);",
      '--log-level=warning'
    ])
  return own
}

/** A short-timed environment config; `extra` is YAML appended under the environment. */
export function environmentConfig(
  options: { targets?: string; extra?: string; clusters?: string; environment?: string } = {}
): string {
  return `
version: 1
environments:
  ${options.environment ?? 'staging'}:
    namespace: ${NAMESPACE}
    url: https://staging.example.com
${options.clusters ?? ''}
    targets:
${options.targets ?? '      - name: api'}
    rollout:
      timeout: 20s
      fail-fast:
        restart-threshold: 2
    lock:
      lease-duration: 3s
      timeout: 30s
${options.extra ?? ''}
`
}

export interface PromotionWorld {
  sim: KubernetesSimulator
  github: GitHubEmulator
  workspace: string
  /** Runs the bundled promote stage (main step) as the runner does. */
  launch(
    inputs?: Record<string, string>,
    options?: Partial<LaunchOptions> & { runId?: string }
  ): Promise<LaunchResult>
  /** Runs the post step with the state a main step saved. */
  post(
    main: LaunchResult,
    inputs?: Record<string, string>,
    options?: { runId?: string }
  ): Promise<LaunchResult>
  /** Runs the post step in this process after an in-process main step, with the state it saved. */
  inProcessPost(main: InProcessRun, inputs?: Record<string, string>): Promise<InProcessRun>
  /** Runs the stage in this process (no bundle), with an in-memory runner. */
  inProcess(
    inputs?: Record<string, string>,
    options?: { signal?: AbortSignal; services?: Partial<PromotionServices>; runId?: string }
  ): Promise<InProcessRun>
  close(): Promise<void>
}

export interface InProcessRun {
  io: MemoryIO
  logger: RecordingLogger
  report?: PromotionReport | undefined
  error?: unknown
}

export async function startPromotionWorld(
  config: string,
  simOptions: KubernetesSimulatorOptions = {}
): Promise<PromotionWorld> {
  const sim = await startKubernetesSimulator({ namespaces: [NAMESPACE], controllerTickMs: 2, ...simOptions })
  const github = await startGitHubEmulator({ owner: 'acme', repo: 'shop' })
  const workspace = mkdtempSync(join(tmpdir(), 'promote-stage-'))
  writeFileSync(join(workspace, 'promotion.yml'), config)
  const distDir = promoteDist()
  const baseInputs = () => ({
    environment: 'staging',
    config: 'promotion.yml',
    kubeconfig: sim.kubeconfig(),
    'github-token': github.token,
    rollback: '',
    'dry-run': ''
  })
  const env = (runId = '4242') => ({
    GITHUB_API_URL: github.url,
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_RUN_ID: runId,
    GITHUB_SHA: SHA,
    KUBECONFIG: undefined
  })
  return {
    sim,
    github,
    workspace,
    launch: (inputs = {}, options = {}) =>
      launchAction({
        bundle: 'promote',
        inputs: { ...baseInputs(), ...inputs },
        env: env(options.runId),
        cwd: workspace,
        distDir,
        timeoutMs: 60_000,
        ...options
      }),
    post: (main, inputs = {}, options = {}) =>
      launchAction({
        bundle: 'promote',
        inputs: { ...baseInputs(), ...inputs },
        env: env(options.runId),
        state: main.state,
        cwd: workspace,
        distDir
      }),
    inProcessPost: (main, inputs = {}) => runInProcess(inputs, { state: main.io.state }),
    inProcess: (inputs = {}, options = {}) => runInProcess(inputs, options),
    async close() {
      await Promise.all([sim.close(), github.close()])
      rmSync(workspace, { recursive: true, force: true })
    }
  }

  /** The stage in this process with an in-memory runner; given a main step's state, its post step. */
  async function runInProcess(
    inputs: Record<string, string>,
    options: {
      signal?: AbortSignal
      services?: Partial<PromotionServices>
      runId?: string
      state?: Record<string, string>
    }
  ): Promise<InProcessRun> {
    const io = new MemoryIO({ ...baseInputs(), ...inputs })
    Object.assign(io.state, options.state ?? {})
    const logger = new RecordingLogger()
    const processEnv: NodeJS.ProcessEnv = {
      GITHUB_WORKSPACE: workspace,
      GITHUB_SERVER_URL: 'https://github.com',
      ...env(options.runId),
      RUNNER_TEMP: tmpdir()
    }
    const context: StageContext = {
      logger,
      io,
      env: processEnv,
      workflow: readWorkflowContext(processEnv),
      signal: options.signal ?? new AbortController().signal
    }
    const run: InProcessRun = { io, logger }
    try {
      run.report = await promote(context, options.services)
    } catch (error) {
      run.error = error
    }
    return run
  }
}

/** The image of a workload's first container (or the named one) as the simulator stores it. */
export function imageOf(sim: KubernetesSimulator, resource: string, name: string, container = 'app'): string {
  const object = sim.get(resource, NAMESPACE, name) as {
    spec: { template: { spec: { containers: Array<{ name: string; image: string }> } } }
  }
  return object.spec.template.spec.containers.find((c) => c.name === container)!.image
}

/** Waits until the simulator's controllers have rolled a seeded Deployment out (status filled in). */
export async function settle(
  sim: KubernetesSimulator,
  resource: string,
  name: string,
  timeoutMs = 5000
): Promise<void> {
  const started = Date.now()
  for (;;) {
    const o = sim.get(resource, NAMESPACE, name) as {
      metadata: { generation?: number }
      status?: Record<string, number | string | undefined>
    }
    const s = o.status ?? {}
    const ready =
      resource === 'deployments'
        ? s['observedGeneration'] === o.metadata.generation &&
          s['updatedReplicas'] !== undefined &&
          s['availableReplicas'] === s['replicas'] &&
          s['replicas'] === s['updatedReplicas']
        : resource === 'statefulsets'
          ? s['observedGeneration'] === o.metadata.generation &&
            s['readyReplicas'] !== undefined &&
            s['updateRevision'] === s['currentRevision'] &&
            s['readyReplicas'] === s['replicas']
          : s['observedGeneration'] === o.metadata.generation &&
            s['desiredNumberScheduled'] !== undefined &&
            s['numberAvailable'] === s['desiredNumberScheduled']
    if (ready) return
    if (Date.now() - started > timeoutMs)
      throw new Error(`${resource}/${name} did not settle: ${JSON.stringify(o.status)}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}
