/**
 * The runner protocol we speak (src/runtime/runner-io.ts) produces the same bytes as
 * @actions/core, the toolkit the runner's protocol is defined by in practice: every workflow
 * command, every file command, the job summary, inputs and state, for values that need
 * escaping. @actions/core is a devDependency for this comparison only.
 */
import * as core from '@actions/core'
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { InputName, OutputName, StateName } from '../../src/runtime/action-io.js'
import type { AnnotationProperties } from '../../src/runtime/logger.js'
import { runnerIO, RunnerLogger } from '../../src/runtime/runner-io.js'

const AWKWARD = [
  'plain',
  '',
  'percent 100% and %0A literal',
  'line one\nline two\r\nline three',
  'colons: and, commas',
  '::error::injected',
  'unicode ✓ — ünïcødé',
  '  padded  '
]

const PROPERTIES: (AnnotationProperties | undefined)[] = [
  undefined,
  {},
  { title: 'A title: with, punctuation\nand a newline' },
  { title: 'Lease', file: '.github/promotion.yml', startLine: 12 },
  { file: 'a,b:c%d.yml', startLine: 0 }
]

/** What process.stdout.write received while `body` ran. */
function stdoutOf(body: () => void): string {
  const chunks: string[] = []
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk))
    return true
  })
  try {
    body()
  } finally {
    spy.mockRestore()
  }
  return chunks.join('')
}

/** Ours writes through the function it is given; collect it the same way. */
function oursOf(body: (logger: RunnerLogger, write: (text: string) => void) => void): string {
  const chunks: string[] = []
  const write = (text: string) => void chunks.push(text)
  body(new RunnerLogger(write), write)
  return chunks.join('')
}

const sameDelimiters = (text: string) => text.replace(/ghadelimiter_[0-9a-f-]{36}/g, 'ghadelimiter_<uuid>')

describe('the runner protocol matches @actions/core byte for byte', () => {
  const savedEnv = { ...process.env }
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'runner-protocol-'))
  })
  afterEach(() => {
    process.env = { ...savedEnv }
    process.exitCode = undefined
  })

  it.each(AWKWARD)('logs %j as the same debug, info, warning, error and group lines', async (message) => {
    const theirs = stdoutOf(() => {
      core.debug(message)
      core.info(message)
      for (const properties of PROPERTIES) {
        core.warning(message, properties)
        core.error(message, properties)
      }
      core.startGroup(message)
      core.endGroup()
    })
    const chunks: string[] = []
    const logger = new RunnerLogger((text) => void chunks.push(text))
    logger.debug(message)
    logger.info(message)
    for (const properties of PROPERTIES) {
      logger.warning(message, properties)
      logger.error(message, properties)
    }
    await logger.group(message, async () => undefined)
    expect(chunks.join('')).toBe(theirs)
  })

  it.each(AWKWARD.filter((m) => m.trim().length >= 4 && !/\r|\n/.test(m)))(
    'masks %j with the same add-mask command',
    (secret) => {
      const theirs = stdoutOf(() => core.setSecret(secret.trim()))
      expect(oursOf((logger) => logger.mask(secret))).toBe(theirs)
    }
  )

  it('fails a step with the same error line and exit code, titled or not', () => {
    const theirs = stdoutOf(() => {
      core.setFailed('Configuration is invalid:\n  environments.prod.timeout: "5x"')
      core.error('Lock held by run 42', { title: 'Environment lock timed out' })
    })
    expect(process.exitCode).toBe(1)
    process.exitCode = undefined
    const ours = oursOf((_logger, write) => {
      const io = runnerIO({}, write)
      io.setFailed('Configuration is invalid:\n  environments.prod.timeout: "5x"')
      io.setFailed('Lock held by run 42', 'Environment lock timed out')
    })
    expect(ours).toBe(theirs)
    expect(process.exitCode).toBe(1)
  })

  it.each(AWKWARD)(
    'writes output and state %j to GITHUB_OUTPUT and GITHUB_STATE in the same blocks',
    (value) => {
      const files = (who: string) => {
        const output = join(dir, `${who}-output`)
        const state = join(dir, `${who}-state`)
        writeFileSync(output, '')
        writeFileSync(state, '')
        return { GITHUB_OUTPUT: output, GITHUB_STATE: state }
      }
      const theirFiles = files('theirs')
      Object.assign(process.env, theirFiles)
      core.setOutput('previous-images', value)
      core.saveState('lock-held', value)
      const ourFiles = files('ours')
      const io = runnerIO({ ...ourFiles })
      io.setOutput('previous-images' as OutputName, value)
      io.saveState('lock-held' as StateName, value)
      expect(sameDelimiters(readFileSync(ourFiles.GITHUB_OUTPUT, 'utf8'))).toBe(
        sameDelimiters(readFileSync(theirFiles.GITHUB_OUTPUT, 'utf8'))
      )
      expect(sameDelimiters(readFileSync(ourFiles.GITHUB_STATE, 'utf8'))).toBe(
        sameDelimiters(readFileSync(theirFiles.GITHUB_STATE, 'utf8'))
      )
    }
  )

  it('uses a fresh delimiter for every value', () => {
    const output = join(dir, 'output')
    writeFileSync(output, '')
    const io = runnerIO({ GITHUB_OUTPUT: output })
    io.setOutput('image' as OutputName, 'a')
    io.setOutput('digest' as OutputName, 'b')
    const delimiters = readFileSync(output, 'utf8').match(/ghadelimiter_[0-9a-f-]{36}/g) ?? []
    expect(delimiters).toHaveLength(4)
    expect(new Set(delimiters).size).toBe(2)
  })

  it('falls back to the stdout set-output and save-state commands without the runner files', () => {
    delete process.env['GITHUB_OUTPUT']
    delete process.env['GITHUB_STATE']
    const theirs = stdoutOf(() => {
      core.setOutput('result', 'line\nbreak: 100%')
      core.saveState('finished', 'true')
    })
    const ours = oursOf((_logger, write) => {
      const io = runnerIO({}, write)
      io.setOutput('result' as OutputName, 'line\nbreak: 100%')
      io.saveState('finished' as StateName, 'true')
    })
    expect(ours).toBe(theirs)
  })

  it('refuses to write to a GITHUB_OUTPUT file that does not exist, as @actions/core does', () => {
    const missing = join(dir, 'missing')
    process.env['GITHUB_OUTPUT'] = missing
    expect(() => core.setOutput('result', 'x')).toThrow(`Missing file at path: ${missing}`)
    expect(() => runnerIO({ GITHUB_OUTPUT: missing }).setOutput('result' as OutputName, 'x')).toThrow(
      `Missing file at path: ${missing}`
    )
  })

  it('appends the same markdown to the job summary', async () => {
    const theirs = join(dir, 'theirs-summary')
    const ours = join(dir, 'ours-summary')
    writeFileSync(theirs, '# existing\n')
    writeFileSync(ours, '# existing\n')
    process.env['GITHUB_STEP_SUMMARY'] = theirs
    const markdown = '| gate | status |\n| --- | --- |\n| freeze | ✅ passed |'
    await core.summary.addRaw(markdown, true).write()
    await core.summary.addRaw(markdown, true).write()
    const io = runnerIO({ GITHUB_STEP_SUMMARY: ours })
    await io.appendSummary(markdown)
    await io.appendSummary(markdown)
    expect(readFileSync(ours, 'utf8')).toBe(readFileSync(theirs, 'utf8'))
  })

  it('rejects a job summary without GITHUB_STEP_SUMMARY with the same message', async () => {
    await expect(runnerIO({}).appendSummary('x')).rejects.toThrow(
      'Unable to find environment variable for $GITHUB_STEP_SUMMARY'
    )
  })

  it.each([
    ['github-token', '  ghp_secret  '],
    ['lock-timeout', '10m'],
    ['dry-run', ''],
    ['a name with spaces', 'v']
  ])('reads input %j as @actions/core does', (name, value) => {
    const key = `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
    process.env[key] = value
    expect(runnerIO({ [key]: value }).getInput(name as InputName)).toBe(core.getInput(name))
  })

  it('reads saved state as @actions/core does', () => {
    process.env['STATE_lock-held'] = 'true'
    expect(runnerIO({ 'STATE_lock-held': 'true' }).getState('lock-held' as StateName)).toBe(
      core.getState('lock-held')
    )
    expect(runnerIO({}).getState('finished' as StateName)).toBe(core.getState('finished'))
  })
})
