import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startGitHubEmulator, type GitHubEmulator } from '../../../simulator/github/index.js'
import { resolvedEnvironment, type ResolvedEnvironment } from '../../../src/config/schema.js'
import type { GateContext, GateKubernetes } from '../../../src/gates/gate-context.js'
import type { Gate } from '../../../src/gates/gate-context.js'
import type { GateResult } from '../../../src/gates/gate-definition.js'
import { createOctokit } from '../../../src/github/octokit-factory.js'
import type { Clock } from '../../../src/runtime/clock.js'
import { systemClock } from '../../../src/runtime/clock.js'
import { ImageReference } from '../../../src/image/image-reference.js'
import { RecordingLogger } from '../../../src/runtime/logger.js'
import { readWorkflowContext } from '../../../src/runtime/workflow-context.js'
import { createDeploymentRecords } from '../../../src/github/deployment-record.js'
import { createGateGitHub, type GateRunGitHub } from '../../../src/gates/gate-github.js'
import type { LazyKubernetes } from '../../../src/gates/gate-kubernetes.js'
import type { z } from 'zod'

export const SHA = '4b825dc642cb6eb9a060e54bf8d69288fbee4904'
export const OTHER_SHA = '9e26dfeeb6e641a33dae4961196235bdb965b21b'
export const RUN_ID = '4242'

/** A clock fixed at one instant (for the freeze gate) that still sleeps instantly. */
export function fixedClock(iso: string): Clock {
  let now = Date.parse(iso)
  return {
    now: () => now,
    sleep: async (ms) => {
      now += Math.max(0, ms)
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
}

export function environment(config: Record<string, unknown>): ResolvedEnvironment {
  return resolvedEnvironment.parse({
    name: 'production',
    namespace: 'shop',
    targets: [{ name: 'web' }],
    ...config
  })
}

export interface GateHarness {
  github: GitHubEmulator
  client: GateRunGitHub
  logger: RecordingLogger
  workspace: string
  /** Files to write into the workspace for gates that read them. */
  write(path: string, content: string): string
  context(overrides?: Partial<GateContext>): GateContext
  /** Parses `settings` with the gate's own schema (defaults applied) and runs it. */
  run<S extends z.ZodType>(
    gate: Gate<S>,
    settings: unknown,
    overrides?: Partial<GateContext>
  ): Promise<GateResult>
  /** Requests the emulator has seen since the last call. */
  takeRequests(): { method: string; path: string; query: Record<string, string>; status: number }[]
  close(): Promise<void>
}

export async function startGateHarness(): Promise<GateHarness> {
  const github = await startGitHubEmulator({ owner: 'acme', repo: 'shop' })
  const logger = new RecordingLogger()
  const workspace = mkdtempSync(join(tmpdir(), 'gates-'))
  const workflow = readWorkflowContext({
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_SHA: SHA,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_RUN_ID: RUN_ID,
    GITHUB_ACTOR: 'octocat',
    GITHUB_API_URL: github.url,
    GITHUB_WORKSPACE: workspace,
    GITHUB_EVENT_NAME: 'workflow_dispatch'
  })
  const octokit = await createOctokit({ token: github.token, apiUrl: github.url, logger, retries: 0 })
  const client = createGateGitHub(
    {
      octokit,
      owner: workflow.owner,
      repo: workflow.repo,
      deployments: createDeploymentRecords(octokit, workflow)
    },
    SHA
  )
  let seen = 0
  const noKubernetes = async (): Promise<GateKubernetes> => {
    throw new Error('no cluster in this test')
  }
  const staging = environment({ name: 'staging', namespace: 'shop-staging' })
  const harness: GateHarness = {
    github,
    client,
    logger,
    workspace,
    write(path, content) {
      const full = join(workspace, path)
      writeFileSync(full, content)
      return full
    },
    context(overrides = {}) {
      client.newRound()
      // Each context is a fresh stage run: lists read by an earlier one are not reused.
      ;(overrides.kubernetes as Partial<LazyKubernetes> | undefined)?.newRound?.()
      return {
        environment: environment({ from: 'staging' }),
        upstream: staging,
        sha: SHA,
        image: ImageReference.parse(`ghcr.io/acme/shop-web:${SHA}`),
        workflow,
        env: {},
        github: client,
        kubernetesConfigured: false,
        kubernetes: noKubernetes,
        clock: systemClock,
        logger,
        signal: new AbortController().signal,
        freezeOverride: undefined,
        ownCheckRunName: 'promotion gates (production)',
        resolvePath: (path) => join(workspace, path),
        ...overrides
      }
    },
    async run(gate, settings, overrides) {
      return gate.run(gate.settings.parse(settings), harness.context(overrides))
    },
    takeRequests() {
      const requests = github.requests.slice(seen)
      seen = github.requests.length
      return requests
    },
    async close() {
      await github.close()
      rmSync(workspace, { recursive: true, force: true })
    }
  }
  return harness
}
