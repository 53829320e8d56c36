import { readFile } from 'node:fs/promises'
import { ConfigurationError } from '../runtime/errors.js'
import type { GateCatalog } from './gate-entry.js'
import type { PromotionConfig } from './promotion-config.js'

export type { PromotionConfig } from './promotion-config.js'

/** Reads and validates the config file; `gates` validates each `gates[]` entry's settings. */
export async function loadPromotionConfig(file: string, gates?: GateCatalog): Promise<PromotionConfig> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new ConfigurationError([
      {
        path: 'input config',
        value: file,
        expected:
          code === 'ENOENT'
            ? 'the path of a promotion config file in the workspace (is actions/checkout run before this step?)'
            : `a readable file (${code ?? String(error)})`
      }
    ])
  }
  // The YAML parser is loaded with the first file it parses: a stage that fails on its inputs
  // before any config is read does not pay for it at start-up.
  const { parsePromotionConfig } = await import('./parse-config.js')
  try {
    return parsePromotionConfig(text, file, gates)
  } catch (error) {
    if (!(error instanceof ConfigurationError) || error.problems.every((p) => p.line !== undefined))
      throw error
    // Only a config with problems pays for the second parser, which finds each problem's line:
    // validating again with it throws the same problems, located.
    const { locateInYaml } = await import('./yaml-locator.js')
    return parsePromotionConfig(text, file, gates, locateInYaml(text))
  }
}
