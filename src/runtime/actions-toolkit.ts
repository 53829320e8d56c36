/**
 * The edge where @actions/core is used. Nothing below src/runtime imports it: library
 * code receives a Logger and an ActionIO instead.
 */
import * as core from '@actions/core'
import type { ActionIO, InputName, OutputName, StateName } from './action-io.js'
import type { AnnotationProperties, Logger } from './logger.js'

export class CoreLogger implements Logger {
  debug(message: string): void {
    core.debug(message)
  }
  info(message: string): void {
    core.info(message)
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
    // The runner masks line by line, so a multi-line secret is registered per line too.
    for (const part of [secret, ...secret.split(/\r?\n/)])
      if (part.trim().length >= 4) core.setSecret(part.trim())
  }
}

export const coreIO: ActionIO = {
  getInput: (name: InputName) => core.getInput(name),
  setOutput: (name: OutputName, value: string) => core.setOutput(name, value),
  saveState: (name: StateName, value: string) => core.saveState(name, value),
  getState: (name: StateName) => core.getState(name),
  appendSummary: async (markdown: string) => {
    await core.summary.addRaw(markdown, true).write()
  },
  // core.setFailed without a title; with one, the same two effects with the annotation titled.
  setFailed: (message: string, title?: string) => {
    if (title === undefined) return core.setFailed(message)
    core.error(message, { title })
    process.exitCode = core.ExitCode.Failure
  }
}
