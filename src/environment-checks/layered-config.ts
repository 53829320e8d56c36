import { parseDocument } from 'yaml'
import { isPlainObject, mergeLayers } from '../config/layering.js'
import { OperationalError } from '../runtime/errors.js'

/**
 * Layered application config as the seed writes it (base-config.yaml, then staging.yaml or
 * production.yaml on top): objects merge key by key, lists and scalars in the override
 * replace. The merged shapes are compared as key paths: a path is a dotted chain of object
 * keys down to a value that is not an object (a list is one value, since it replaces as a
 * whole); an empty object is a path of its own. Keys with a dot or bracket are written
 * `a["b.c"]`.
 */

export interface ShapeDifference {
  path: string
  presentIn: string[]
  missingIn: string[]
}

export interface MissingRequiredKey {
  environment: string
  path: string
  problem: 'missing' | 'empty'
}

export interface LayeredConfigReport {
  merged: Record<string, unknown>
  differences: ShapeDifference[]
  missingRequired: MissingRequiredKey[]
}

/** Parses a YAML (or JSON) config file; an empty file is `{}`. Throws naming the file on a syntax error. */
export function parseConfigText(text: string, path: string): unknown {
  const doc = parseDocument(text)
  if (doc.errors.length > 0)
    throw new OperationalError(`${path} is not valid YAML: ${doc.errors[0]!.message}`, {
      title: 'Invalid config file'
    })
  return doc.toJS() ?? {}
}

export function mergeEnvironmentConfigs(
  base: unknown,
  overrides: Record<string, unknown>
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(overrides).map(([env, override]) => [env, mergeLayers(base, override)])
  )
}

export function keyPaths(value: unknown): string[] {
  const paths: string[] = []
  const walk = (node: unknown, prefix: string) => {
    if (!isPlainObject(node) || (Object.keys(node).length === 0 && prefix !== '')) {
      if (prefix !== '') paths.push(prefix)
      return
    }
    for (const [key, child] of Object.entries(node)) walk(child, joinPath(prefix, key))
  }
  walk(value, '')
  return paths
}

/** Key paths present in some environments' merged config but not all, in first-seen order. */
export function compareConfigShapes(merged: Record<string, unknown>): ShapeDifference[] {
  const environments = Object.keys(merged)
  const byEnv = new Map(environments.map((env) => [env, new Set(keyPaths(merged[env]))]))
  const all = [...new Set(environments.flatMap((env) => [...byEnv.get(env)!]))]
  const differences: ShapeDifference[] = []
  for (const path of all) {
    const presentIn = environments.filter((env) => byEnv.get(env)!.has(path))
    if (presentIn.length === environments.length) continue
    differences.push({ path, presentIn, missingIn: environments.filter((env) => !presentIn.includes(env)) })
  }
  return differences
}

/**
 * Required key paths (dotted strings or key arrays) absent, null or the empty string in an
 * environment's merged config. A required path may end at an object or a list.
 */
export function missingRequiredKeys(
  merged: Record<string, unknown>,
  required: (string | string[])[]
): MissingRequiredKey[] {
  const missing: MissingRequiredKey[] = []
  for (const entry of required) {
    const keys = typeof entry === 'string' ? entry.split('.') : entry
    const path = keys.reduce(joinPath, '')
    for (const [environment, config] of Object.entries(merged)) {
      let node: unknown = config
      let found = true
      for (const key of keys) {
        if (!isPlainObject(node) || !Object.hasOwn(node, key)) {
          found = false
          break
        }
        node = node[key]
      }
      if (!found) missing.push({ environment, path, problem: 'missing' })
      else if (node === null || node === '') missing.push({ environment, path, problem: 'empty' })
    }
  }
  return missing
}

export function checkLayeredConfig(
  base: unknown,
  overrides: Record<string, unknown>,
  required: (string | string[])[] = []
): LayeredConfigReport {
  const merged = mergeEnvironmentConfigs(base, overrides)
  return {
    merged,
    differences: compareConfigShapes(merged),
    missingRequired: missingRequiredKeys(merged, required)
  }
}

function joinPath(prefix: string, key: string): string {
  const part = /^[^.[\]"]+$/.test(key) ? key : `[${JSON.stringify(key)}]`
  if (prefix === '') return part
  return part.startsWith('[') ? `${prefix}${part}` : `${prefix}.${part}`
}
