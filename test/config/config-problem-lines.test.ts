/**
 * A configuration problem is annotated on the config file's line: the loaded config's problems
 * name the file, line and column of their path, and reportFailure turns each into an error
 * annotation there.
 */
import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadPromotionConfig } from '../../src/config/load-config.js'
import { locateInYaml } from '../../src/config/yaml-locator.js'
import { ConfigurationError } from '../../src/runtime/errors.js'
import { RecordingLogger } from '../../src/runtime/logger.js'
import { reportFailure } from '../../src/runtime/report-failure.js'
import { MemoryIO } from '../support/memory-io.js'

/** The error annotations a stage makes for `text` as its promotion config. */
async function annotationsFor(text: string) {
  const file = join(mkdtempSync(join(tmpdir(), 'config-lines-')), 'promotion.yml')
  writeFileSync(file, text)
  const logger = new RecordingLogger()
  const io = new MemoryIO({})
  try {
    await loadPromotionConfig(file)
    throw new Error('expected a configuration error')
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError)
    reportFailure(error, logger, io)
  }
  expect(io.failed).toMatch(/^Configuration error/)
  const annotations = logger.annotations('error')
  for (const a of annotations) {
    expect(a.title).toBe('Configuration error')
    expect(a.file).toBe(file)
  }
  /** The annotation whose message names `path`, as line:column. */
  const at = (path: string): string => {
    const found = annotations.filter((a) => a.message.includes(`promotion.yml: ${path}:`))
    expect(found).toHaveLength(1)
    return `${found[0]!.startLine}:${found[0]!.startColumn}`
  }
  return { annotations, at }
}

const lines = (...rows: string[]) => rows.join('\n') + '\n'

describe('configuration problems are annotated on the config line', () => {
  it('points a nested key at its own line, in the layer that wrote it', async () => {
    const { at } = await annotationsFor(
      lines(
        'defaults:', //                                 1
        '  namespace: shop', //                         2
        '  targets: [{ name: web }]', //                3
        '  rollout:', //                                4
        '    timeout: five', //                         5
        'environments:', //                             6
        '  staging:', //                                7
        '    namespace: Shop', //                       8
        '    lock:', //                                 9
        '      enabled: sometimes' //                   10
      )
    )
    expect(at('defaults.rollout.timeout')).toBe('5:5')
    expect(at('environments.staging.namespace')).toBe('8:5')
    expect(at('environments.staging.lock.enabled')).toBe('10:7')
  })

  it('points at the list item, or at the key inside it', async () => {
    const { at } = await annotationsFor(
      lines(
        'defaults:', //                                 1
        '  namespace: shop', //                         2
        '  targets:', //                                3
        '    - name: web', //                           4
        '      contianers: [web]', //                   5
        '    - name: api', //                           6
        '      selector: app=api', //                   7
        'environments:', //                             8
        '  staging: {}' //                              9
      )
    )
    expect(at('defaults.targets[0].contianers')).toBe('5:7')
    expect(at('defaults.targets[1]')).toBe('6:7')
  })

  it('tells problems on one flow-style line apart by column', async () => {
    const { at } = await annotationsFor(
      lines(
        'defaults: { namespace: shop, targets: [{ name: web }] }',
        'environments:',
        '  staging: { namespace: 42, production: "yes", rollout: { timeout: soon } }'
      )
    )
    expect(at('environments.staging.namespace')).toBe('3:14')
    expect(at('environments.staging.production')).toBe('3:29')
    expect(at('environments.staging.rollout.timeout')).toBe('3:59')
  })

  it('points a missing value at the deepest part that is there, and `from` at its line', async () => {
    const { at } = await annotationsFor(
      lines(
        'defaults:', //                                 1
        '  namespace: shop', //                         2
        'environments:', //                             3
        '  development: {}', //                         4
        '  production:', //                             5
        '    targets: [{ name: web }]', //              6
        '    from: nowhere' //                          7
      )
    )
    expect(at('environments.development.targets')).toBe('4:3')
    expect(at('environments.production.from')).toBe('7:5')
  })

  it('annotates a YAML syntax error where the parser stopped', async () => {
    const { annotations } = await annotationsFor(
      lines('environments:', '  staging: {}', '  production: {}', '  staging: {}')
    )
    expect(annotations).toHaveLength(1)
    expect(annotations[0]!.message).toMatch(
      /a YAML syntax error; expected valid YAML \(line 4, column 3: duplicated/
    )
    expect(annotations[0]).toMatchObject({ startLine: 4, startColumn: 3 })
  })

  it('annotates a problem with no line in the file on the file itself', async () => {
    const { annotations } = await annotationsFor(lines('defaults: { namespace: shop }'))
    const missing = annotations.find((a) => a.message.includes('promotion.yml: environments:'))
    expect(missing).toMatchObject({ file: expect.stringMatching(/promotion\.yml$/) })
    expect(missing?.startLine).toBeUndefined()
  })

  it('leaves problems that are not in a file as plain error annotations', () => {
    const logger = new RecordingLogger()
    reportFailure(
      new ConfigurationError([{ path: 'input dry-run', value: 'maybe', expected: 'one of: true, false' }]),
      logger,
      new MemoryIO({})
    )
    expect(logger.annotations('error')).toEqual([
      { message: 'input dry-run: got "maybe"; expected one of: true, false', title: 'Configuration error' }
    ])
  })
})

describe('locateInYaml', () => {
  const text = lines(
    'base: &base', //                                   1
    '  namespace: shop', //                             2
    'environments:', //                                 3
    '  staging: *base', //                              4
    '  "quoted key":', //                               5
    '    - one', //                                     6
    '    - [two, three]', //                            7
    '  8080: port' //                                   8
  )
  const locate = locateInYaml(text)

  it('follows an alias to the anchor, where the value was written', () => {
    expect(locate(['environments', 'staging', 'namespace'])).toEqual({ line: 2, column: 3 })
  })

  it('finds quoted and numeric keys and nested list items', () => {
    expect(locate(['environments', 'quoted key'])).toEqual({ line: 5, column: 3 })
    expect(locate(['environments', 'quoted key', 1, 0])).toEqual({ line: 7, column: 8 })
    expect(locate(['environments', '8080'])).toEqual({ line: 8, column: 3 })
  })

  it('has nothing to say about a path whose first key is not there', () => {
    expect(locate(['defaults', 'namespace'])).toBeUndefined()
    expect(locateInYaml('')(['environments'])).toBeUndefined()
  })
})
