/**
 * The Logger and ActionIO a stage runs with (src/runtime/runner-io.ts) speak through
 * @actions/core, the toolkit the runner's protocol is defined by in practice. This test holds
 * what our adapter adds (multi-line masks, titled failures, the job summary it appends itself)
 * to the same bytes @actions/core writes: every workflow command, every file command, the job
 * summary, inputs and state, for values that need escaping. Both sides write to the real
 * process.stdout and read the real process.env, as they do under the runner.
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
  { title: 'Config', file: '/home/runner/work/app/app/.github/promotion.yml', startLine: 3, startColumn: 5 },
  { file: '.github/promotion.yml', startLine: 3, endLine: 7 },
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

/** What ours wrote to process.stdout while `body` ran, collected like theirs. */
function oursOf(body: (logger: RunnerLogger, io: ReturnType<typeof runnerIO>) => void): string {
  return stdoutOf(() => body(new RunnerLogger(), runnerIO()))
}

/** The same, for a body that awaits (a group's end is written after its body settles). */
async function oursOfAsync(body: (logger: RunnerLogger) => Promise<void>): Promise<string> {
  const chunks: string[] = []
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk))
    return true
  })
  try {
    await body(new RunnerLogger())
  } finally {
    spy.mockRestore()
  }
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

  it.each(AWKWARD)(
    'logs %j as the same debug, info, notice, warning, error and group lines',
    async (message) => {
      const theirs = stdoutOf(() => {
        core.debug(message)
        core.info(message)
        for (const properties of PROPERTIES) {
          core.notice(message, properties)
          core.warning(message, properties)
          core.error(message, properties)
        }
        core.startGroup(message)
        core.endGroup()
      })
      const ours = await oursOfAsync(async (logger) => {
        logger.debug(message)
        logger.info(message)
        for (const properties of PROPERTIES) {
          logger.notice(message, properties)
          logger.warning(message, properties)
          logger.error(message, properties)
        }
        await logger.group(message, async () => undefined)
      })
      expect(ours).toBe(theirs)
    }
  )

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
    const ours = oursOf((_logger, io) => {
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
      Object.assign(process.env, ourFiles)
      const io = runnerIO()
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
    process.env['GITHUB_OUTPUT'] = output
    const io = runnerIO()
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
    const ours = oursOf((_logger, io) => {
      io.setOutput('result' as OutputName, 'line\nbreak: 100%')
      io.saveState('finished' as StateName, 'true')
    })
    expect(ours).toBe(theirs)
  })

  it('refuses to write to a GITHUB_OUTPUT file that does not exist, as @actions/core does', () => {
    const missing = join(dir, 'missing')
    process.env['GITHUB_OUTPUT'] = missing
    expect(() => core.setOutput('result', 'x')).toThrow(`Missing file at path: ${missing}`)
    expect(() => runnerIO().setOutput('result' as OutputName, 'x')).toThrow(
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
    process.env['GITHUB_STEP_SUMMARY'] = ours
    const io = runnerIO()
    await io.appendSummary(markdown)
    await io.appendSummary(markdown)
    expect(readFileSync(ours, 'utf8')).toBe(readFileSync(theirs, 'utf8'))
  })

  it('rejects a job summary without GITHUB_STEP_SUMMARY with the same message', async () => {
    delete process.env['GITHUB_STEP_SUMMARY']
    await expect(runnerIO().appendSummary('x')).rejects.toThrow(
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
    expect(runnerIO().getInput(name as InputName)).toBe(core.getInput(name))
  })

  it('reads saved state as @actions/core does', () => {
    process.env['STATE_lock-held'] = 'true'
    expect(runnerIO().getState('lock-held' as StateName)).toBe(core.getState('lock-held'))
    expect(runnerIO().getState('finished' as StateName)).toBe(core.getState('finished'))
  })
})
