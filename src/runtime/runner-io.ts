/**
 * The Logger and ActionIO a stage gets when the runner launches it, spoken through
 * @actions/core, the toolkit that defines the runner's protocol in practice. Library code
 * never writes to stdout or to the runner's files itself, and never imports @actions/core
 * (eslint.config.js): it receives these.
 */
import { accessSync, constants } from 'node:fs'
import { appendFile } from 'node:fs/promises'
import { EOL } from 'node:os'
import * as core from '@actions/core'
import type { ActionIO, InputName, OutputName, StateName } from './action-io.js'
import type { AnnotationProperties, Logger } from './logger.js'

export class RunnerLogger implements Logger {
  debug(message: string): void {
    core.debug(message)
  }
  info(message: string): void {
    core.info(message)
  }
  notice(message: string, properties?: AnnotationProperties): void {
    core.notice(message, properties)
  }
  warning(message: string, properties?: AnnotationProperties): void {
    core.warning(message, properties)
  }
  error(message: string, properties?: AnnotationProperties): void {
    core.error(message, properties)
  }
  async group<T>(name: string, body: () => Promise<T>): Promise<T> {
    core.startGroup(name)
    try {
      return await body()
    } finally {
      core.endGroup()
    }
  }
  mask(secret: string): void {
    // The runner masks line by line, so a multi-line secret is registered per line too; parts
    // shorter than 4 characters would mask common text all over the log, and mask nothing secret.
    const parts = new Set([secret, ...secret.split(/\r?\n/)].map((part) => part.trim()))
    for (const part of parts) if (part.length >= 4) core.setSecret(part)
  }
}

/**
 * The job summary is appended to the file GITHUB_STEP_SUMMARY names at the time of the call,
 * with @actions/core's checks and messages. Not `core.summary`: that is one buffer for the
 * whole process, which keeps its text after a failed write and caches the file's path on first
 * use; a stage only ever appends finished markdown (cut to SUMMARY_LIMIT_BYTES by its caller,
 * src/runtime/markdown.ts), so a plain append is the whole job.
 */
async function appendStepSummary(markdown: string): Promise<void> {
  const path = process.env['GITHUB_STEP_SUMMARY']
  if (!path)
    throw new Error(
      'Unable to find environment variable for $GITHUB_STEP_SUMMARY. Check if your runtime environment supports job summaries.'
    )
  try {
    accessSync(path, constants.R_OK | constants.W_OK)
  } catch {
    throw new Error(
      `Unable to access summary file: '${path}'. Check if the file has correct read/write permissions.`
    )
  }
  await appendFile(path, markdown + EOL, { encoding: 'utf8' })
}

/** The runner's inputs, outputs, state and job summary, as @actions/core reads and writes them. */
export function runnerIO(): ActionIO {
  return {
    getInput: (name: InputName) => core.getInput(name),
    setOutput: (name: OutputName, value: string) => core.setOutput(name, value),
    saveState: (name: StateName, value: string) => core.saveState(name, value),
    getState: (name: StateName) => core.getState(name),
    appendSummary: appendStepSummary,
    setFailed: (message: string, title?: string) => {
      if (title === undefined) return core.setFailed(message)
      // core.setFailed takes no annotation properties: the same two steps, with the title.
      process.exitCode = core.ExitCode.Failure
      core.error(message, { title })
    }
  }
}
