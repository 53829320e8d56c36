import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { InputName } from '../../../src/runtime/action-io.js'
import type { Logger } from '../../../src/runtime/logger.js'
import { runStage } from '../../../src/runtime/run-stage.js'
import { verifyStage, type VerifyDeps } from '../../../src/stages/verify/verify-stage.js'
import { MemoryIO } from '../../support/memory-io.js'

export const SHA = 'c0ffee0000000000000000000000000000000001'

/** A throwaway workspace holding .github/promotion.yml. */
export function workspaceWith(config: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'verify-stage-'))
  writeFileSync(join(dir, 'promotion.yml'), config)
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

export interface VerifyRun {
  io: MemoryIO
  durationMs: number
}

/** Runs the stage exactly as the entrypoint does (runStage), with an in-memory runner. */
export async function runVerify(options: {
  workspace: string
  inputs?: Partial<Record<InputName, string>>
  env?: Record<string, string | undefined>
  logger: Logger
  deps?: VerifyDeps
}): Promise<VerifyRun> {
  const io = new MemoryIO({ environment: 'staging', sha: SHA, config: 'promotion.yml', ...options.inputs })
  const env: NodeJS.ProcessEnv = {
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_SHA: SHA,
    GITHUB_RUN_ID: '77',
    ...options.env
  }
  const started = performance.now()
  await runStage((context) => verifyStage(context, options.deps), { logger: options.logger, io, env })
  return { io, durationMs: performance.now() - started }
}

/** A quick policy: 2 passes in a row over 100 ms, 2 s deadline, short backoff. */
export const QUICK_POLICY = `
      policy:
        consecutive-successes: 2
        soak: 100ms
        deadline: 2s
        initial-backoff: 20ms
        max-backoff: 50ms`
