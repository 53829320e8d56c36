import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startGitHubEmulator, type GitHubEmulator } from '../../../simulator/github/index.js'
import type { Clock } from '../../../src/runtime/clock.js'
import type { InputName } from '../../../src/runtime/action-io.js'
import { MemoryIO } from '../../support/memory-io.js'
import { RecordingLogger } from '../../../src/runtime/logger.js'
import { runStage } from '../../../src/runtime/run-stage.js'
import { gateStage } from '../../../src/stages/gate/gate-stage.js'

export const SHA = '4b825dc642cb6eb9a060e54bf8d69288fbee4904'
export const OTHER_SHA = '9e26dfeeb6e641a33dae4961196235bdb965b21b'
export const RUN_ID = '5150'

export interface StageRun {
  io: MemoryIO
  logger: RecordingLogger
  ms: number
  /** The report output, parsed. */
  report:
    | {
        passed: boolean
        conclusion: string
        failedGates: string[]
        gates: { name: string; status: string; summary: string; attempts: number }[]
      }
    | undefined
}

export interface GateWorld {
  github: GitHubEmulator
  workspace: string
  /** Writes .github/promotion.yml. */
  config(yaml: string): void
  write(path: string, content: string): void
  run(options?: {
    inputs?: Partial<Record<InputName, string>>
    event?: string
    clock?: Clock
    pollIntervalMs?: number
    env?: NodeJS.ProcessEnv
  }): Promise<StageRun>
  /** The action's check runs on the SHA. */
  ownCheckRuns(environment?: string): GitHubEmulator['state']['checkRuns']
  close(): Promise<void>
}

export async function startGateWorld(): Promise<GateWorld> {
  const github = await startGitHubEmulator({ owner: 'acme', repo: 'shop' })
  const workspace = mkdtempSync(join(tmpdir(), 'gate-stage-'))
  return {
    github,
    workspace,
    config(yaml) {
      writeFileSync(join(workspace, 'promotion.yml'), yaml)
    },
    write(path, content) {
      writeFileSync(join(workspace, path), content)
    },
    async run(options = {}) {
      const io = new MemoryIO({
        environment: 'production',
        sha: SHA,
        config: 'promotion.yml',
        'github-token': github.token,
        ...options.inputs
      })
      const logger = new RecordingLogger()
      const env: NodeJS.ProcessEnv = {
        GITHUB_REPOSITORY: 'acme/shop',
        GITHUB_API_URL: github.url,
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_WORKSPACE: workspace,
        GITHUB_SHA: SHA,
        GITHUB_REF: 'refs/heads/main',
        GITHUB_RUN_ID: RUN_ID,
        GITHUB_RUN_ATTEMPT: '1',
        GITHUB_ACTOR: 'octocat',
        GITHUB_EVENT_NAME: options.event ?? 'workflow_dispatch',
        ...options.env
      }
      const started = performance.now()
      await runStage(
        (context) =>
          gateStage(context, {
            ...(options.clock ? { clock: options.clock } : {}),
            ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {})
          }),
        { logger, io, env }
      )
      const ms = performance.now() - started
      return { io, logger, ms, report: io.outputs['report'] ? JSON.parse(io.outputs['report']) : undefined }
    },
    ownCheckRuns(environment = 'production') {
      return github.state.checkRuns.filter((r) => r.name === `promotion gates (${environment})`)
    },
    async close() {
      await github.close()
      rmSync(workspace, { recursive: true, force: true })
    }
  }
}
