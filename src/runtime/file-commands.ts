/**
 * The runner's file protocol: outputs and state appended to the files named by
 * GITHUB_OUTPUT and GITHUB_STATE as `name<<delimiter` blocks, the job summary appended to
 * GITHUB_STEP_SUMMARY. Same bytes as @actions/core's file-command.js and summary.js
 * (test/runtime/runner-protocol.conformance.test.ts).
 */
import { accessSync, appendFileSync, constants, existsSync } from 'node:fs'
import { appendFile } from 'node:fs/promises'
import { EOL } from 'node:os'
import { toCommandValue } from './workflow-commands.js'

export type FileCommand = 'OUTPUT' | 'STATE'

/** The file a file command appends to, or undefined when the runner did not provide one. */
export function fileCommandPath(command: FileCommand, env: NodeJS.ProcessEnv): string | undefined {
  return env[`GITHUB_${command}`] || undefined
}

/**
 * `name<<ghadelimiter_<uuid>` … `ghadelimiter_<uuid>`: a fresh random delimiter per value,
 * so a value cannot end its block early and smuggle in another output.
 */
export function keyValueBlock(name: string, value: unknown): string {
  // globalThis.crypto loads on first use, so a stage that sets no output never loads crypto.
  const delimiter = `ghadelimiter_${globalThis.crypto.randomUUID()}`
  const text = toCommandValue(value)
  if (name.includes(delimiter))
    throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`)
  if (text.includes(delimiter))
    throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`)
  return `${name}<<${delimiter}${EOL}${text}${EOL}${delimiter}`
}

export function appendFileCommand(path: string, name: string, value: unknown): void {
  if (!existsSync(path)) throw new Error(`Missing file at path: ${path}`)
  appendFileSync(path, `${keyValueBlock(name, value)}${EOL}`, { encoding: 'utf8' })
}

/** Appends markdown (and a line ending) to the job summary file. */
export async function appendStepSummary(markdown: string, env: NodeJS.ProcessEnv): Promise<void> {
  const path = env['GITHUB_STEP_SUMMARY']
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
