/**
 * The Logger and ActionIO a stage gets when the runner launches it, speaking the runner's
 * protocol (workflow-commands.ts, file-commands.ts). Library code never writes to stdout
 * or to the runner's files itself: it receives these.
 */
import { EOL } from 'node:os'
import type { ActionIO, InputName, OutputName, StateName } from './action-io.js'
import { appendFileCommand, appendStepSummary, fileCommandPath } from './file-commands.js'
import type { AnnotationProperties, Logger } from './logger.js'
import { issueCommand, toCommandValue, type Write } from './workflow-commands.js'

const stdout: Write = (text) => {
  process.stdout.write(text)
}

/** Annotation properties under the names the runner reads. */
function annotation(properties: AnnotationProperties = {}): Record<string, string | number | undefined> {
  return { title: properties.title, file: properties.file, line: properties.startLine }
}

export class RunnerLogger implements Logger {
  constructor(private readonly write: Write = stdout) {}

  debug(message: string): void {
    issueCommand('debug', {}, message, this.write)
  }
  info(message: string): void {
    this.write(message + EOL)
  }
  warning(message: string, properties?: AnnotationProperties): void {
    issueCommand('warning', annotation(properties), message, this.write)
  }
  error(message: string, properties?: AnnotationProperties): void {
    issueCommand('error', annotation(properties), message, this.write)
  }
  async group<T>(name: string, body: () => Promise<T>): Promise<T> {
    issueCommand('group', {}, name, this.write)
    try {
      return await body()
    } finally {
      issueCommand('endgroup', {}, '', this.write)
    }
  }
  mask(secret: string): void {
    // The runner masks line by line, so a multi-line secret is registered per line too.
    const parts = new Set([secret, ...secret.split(/\r?\n/)].map((part) => part.trim()))
    for (const part of parts) if (part.length >= 4) issueCommand('add-mask', {}, part, this.write)
  }
}

/** The runner's inputs, outputs, state and job summary, read from and written to `env`'s files. */
export function runnerIO(env: NodeJS.ProcessEnv = process.env, write: Write = stdout): ActionIO {
  const logger = new RunnerLogger(write)
  const keyValue = (command: 'OUTPUT' | 'STATE', legacy: string, name: string, value: string) => {
    const path = fileCommandPath(command, env)
    if (path) return appendFileCommand(path, name, value)
    // Runners older than the file commands (and local runs without them) read the stdout form.
    if (command === 'OUTPUT') write(EOL)
    issueCommand(legacy, { name }, toCommandValue(value), write)
  }
  return {
    getInput: (name: InputName) => (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] || '').trim(),
    setOutput: (name: OutputName, value: string) => keyValue('OUTPUT', 'set-output', name, value),
    saveState: (name: StateName, value: string) => keyValue('STATE', 'save-state', name, value),
    getState: (name: StateName) => env[`STATE_${name}`] || '',
    appendSummary: (markdown: string) => appendStepSummary(markdown, env),
    setFailed: (message: string, title?: string) => {
      logger.error(message, title === undefined ? undefined : { title })
      process.exitCode = 1
    }
  }
}
