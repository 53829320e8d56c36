import { load, YAMLException } from 'js-yaml'
import { ConfigurationError, type Problem } from '../runtime/errors.js'
import { orderEnvironments } from './environment-order.js'
import { isPlainObject, layerOf, mergeLayers } from './layering.js'
import { gateEntryIssues, type GateCatalog } from './gate-entry.js'
import type { PromotionConfig } from './promotion-config.js'
import { promotionConfig, resolvedEnvironment, type ResolvedEnvironment } from './schema.js'
import type { SourceLocator } from './yaml-locator.js'
import { formatPath, problemsFromZod } from './zod-problems.js'

/**
 * Validates the whole file and every environment after layering; throws one ConfigurationError
 * with every problem. Given the gate catalog, each `gates[]` entry's `with` is validated by its
 * gate's own schema, where the user wrote it (defaults or the environment's layer).
 *
 * Given `locate` (yaml-locator.ts), each problem also names the file and the line and column
 * of its path, for an annotation on that line; load-config.ts passes it only once a config has
 * problems, so a valid config never loads the second YAML parser.
 */
export function parsePromotionConfig(
  text: string,
  file: string,
  gates?: GateCatalog,
  locate?: SourceLocator
): PromotionConfig {
  let raw: unknown
  try {
    raw = load(text, { filename: file })
  } catch (error) {
    if (error instanceof YAMLException) {
      const line = (error.mark?.line ?? 0) + 1
      const column = (error.mark?.column ?? 0) + 1
      throw new ConfigurationError([
        {
          path: file,
          found: 'a YAML syntax error',
          expected: `valid YAML (line ${line}, column ${column}: ${error.reason})`,
          file,
          line,
          column
        }
      ])
    }
    throw error
  }

  /** Each problem path made here, with the document path it names, to find its line later. */
  const documentPaths = new Map<string, PropertyKey[]>()
  const at = (path: PropertyKey[]) => {
    const where = `${file}: ${formatPath(path) || '(top level)'}`
    documentPaths.set(where, path)
    return where
  }
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

  if (problems.length > 0) {
    const unique = dedupe(problems)
    throw new ConfigurationError(locate ? unique.map((p) => located(p, file, documentPaths, locate)) : unique)
  }
  return { file, order, environments }
}

function located(
  problem: Problem,
  file: string,
  documentPaths: ReadonlyMap<string, PropertyKey[]>,
  locate: SourceLocator
): Problem {
  const path = documentPaths.get(problem.path)
  const position = path ? locate(path) : undefined
  return { ...problem, file, ...(position ? { line: position.line, column: position.column } : {}) }
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
