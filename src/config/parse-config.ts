import { load, YAMLException } from 'js-yaml'
import { ConfigurationError, type Problem } from '../runtime/errors.js'
import { orderEnvironments } from './environment-order.js'
import { isPlainObject, layerOf, mergeLayers } from './layering.js'
import { gateEntryIssues, type GateCatalog } from './gate-entry.js'
import type { PromotionConfig } from './promotion-config.js'
import { promotionConfig, resolvedEnvironment, type ResolvedEnvironment } from './schema.js'
import { formatPath, problemsFromZod } from './zod-problems.js'

/**
 * Validates the whole file and every environment after layering; throws one ConfigurationError
 * with every problem. Given the gate catalog, each `gates[]` entry's `with` is validated by its
 * gate's own schema, where the user wrote it (defaults or the environment's layer).
 */
export function parsePromotionConfig(text: string, file: string, gates?: GateCatalog): PromotionConfig {
  let raw: unknown
  try {
    raw = load(text, { filename: file })
  } catch (error) {
    if (error instanceof YAMLException)
      throw new ConfigurationError([
        {
          path: file,
          found: 'a YAML syntax error',
          expected: `valid YAML (line ${(error.mark?.line ?? 0) + 1}, column ${(error.mark?.column ?? 0) + 1}: ${error.reason})`
        }
      ])
    throw error
  }

  const at = (path: PropertyKey[]) => `${file}: ${formatPath(path) || '(top level)'}`
  const problems: Problem[] = []
  const parsed = promotionConfig.safeParse(raw, { reportInput: true })
  if (!parsed.success) problems.push(...problemsFromZod(parsed.error.issues, at))

  const environments = new Map<string, ResolvedEnvironment>()
  const froms = new Map<string, string | undefined>()
  const file_ = isPlainObject(raw) ? raw : {}
  const defaults = file_['defaults']
  const envs = isPlainObject(file_['environments']) ? file_['environments'] : {}
  for (const [name, entry] of Object.entries(envs)) {
    if (!isPlainObject(entry)) continue
    const { from, ...override } = entry
    froms.set(name, typeof from === 'string' ? from : undefined)
    const merged = {
      ...(mergeLayers(defaults, override) as object),
      name,
      ...(typeof from === 'string' ? { from } : {})
    }
    const resolved = resolvedEnvironment.safeParse(merged, { reportInput: true })
    if (resolved.success) environments.set(name, resolved.data)
    else
      problems.push(
        ...problemsFromZod(resolved.error.issues, (path) =>
          layerOf(path, defaults, override) === 'base'
            ? at(['defaults', ...path])
            : at(['environments', name, ...path])
        )
      )
  }

  if (gates)
    for (const [layerPath, layer] of [
      [['defaults'], defaults],
      ...Object.entries(envs).map(([name, entry]) => [['environments', name], entry] as const)
    ] as Array<readonly [string[], unknown]>) {
      const entries = isPlainObject(layer) && Array.isArray(layer['gates']) ? layer['gates'] : []
      entries.forEach((entry: unknown, index: number) =>
        problems.push(
          ...problemsFromZod(gateEntryIssues(entry, gates), (path) =>
            at([...layerPath, 'gates', index, ...path])
          )
        )
      )
    }

  const { order, problems: graphProblems } = orderEnvironments(froms, (env) =>
    at(['environments', env, 'from'])
  )
  problems.push(...graphProblems)

  if (problems.length > 0) throw new ConfigurationError(dedupe(problems))
  return { file, order, environments }
}

/** The file-level and per-environment passes can see the same bad value; report it once. */
function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>()
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.expected}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
