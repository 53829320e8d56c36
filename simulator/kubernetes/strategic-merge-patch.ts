/**
 * Strategic merge patch (`application/strategic-merge-patch+json`) for the built-in kinds the
 * simulator serves. Like a merge patch, except that the lists Kubernetes tags with a
 * `patchMergeKey` merge element by element (containers by name, so `kubectl set image` keeps
 * every other container field), and a few directives are understood:
 * `$patch: replace|delete` (on maps and list elements), `$setElementOrder/<list>`,
 * `$deleteFromPrimitiveList/<list>` and `$retainKeys`.
 *
 * The merge keys come from the Go struct tags of k8s.io/api, looked up by field name rather
 * than by full path: no two served kinds use one field name with different merge keys
 * except Service `ports` (merge key `port`), and Services are not served.
 */
import { unprocessablePatch } from './api-errors.js'
import { clone, deepEqual, isJsonObject, type Json, type JsonObject } from './json-values.js'

const mergeKeys: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  ports: 'containerPort',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  volumes: 'name',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  resourceClaims: 'name',
  topologySpreadConstraints: 'topologyKey',
  conditions: 'type',
  ownerReferences: 'uid'
}

/** Lists of scalars tagged `patchStrategy:"merge"`: patched values are added, not replaced. */
const mergedPrimitiveLists = new Set(['finalizers'])

export function applyStrategicMergePatch(original: Json, patch: Json): Json {
  if (!isJsonObject(patch)) throw unprocessablePatch('strategic merge patch must be a JSON object')
  const merged = mergeMap(isJsonObject(original) ? original : {}, patch)
  return merged === undefined ? {} : merged
}

/** Returns undefined when the patch deletes the whole map (`$patch: delete`). */
function mergeMap(original: JsonObject, patch: JsonObject): JsonObject | undefined {
  const directive = patch['$patch']
  if (directive === 'delete') return undefined
  if (directive === 'replace') return stripDirectives(withoutKey(patch, '$patch'))
  if (directive !== undefined) throw unprocessablePatch(`Unknown patch type: ${String(directive)}`)

  const result = clone(original)
  const orders: Record<string, Json[]> = {}
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$setElementOrder/')) {
      if (Array.isArray(value)) orders[key.slice('$setElementOrder/'.length)] = value
      continue
    }
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length)
      const current = result[field]
      if (Array.isArray(current) && Array.isArray(value)) {
        result[field] = current.filter((item) => !value.some((gone) => deepEqual(gone, item)))
      }
      continue
    }
    if (key === '$retainKeys') continue
    if (value === null) {
      delete result[key]
      continue
    }
    const merged = mergeValue(key, result[key], value)
    if (merged === undefined) delete result[key]
    else result[key] = merged
  }
  const retain = patch['$retainKeys']
  if (Array.isArray(retain)) {
    for (const key of Object.keys(result)) {
      if (!retain.includes(key)) delete result[key]
    }
  }
  for (const [field, order] of Object.entries(orders)) {
    const list = result[field]
    if (Array.isArray(list)) result[field] = applyOrder(field, list, order)
  }
  return result
}

function mergeValue(key: string, original: Json | undefined, patch: Json): Json | undefined {
  if (isJsonObject(patch)) {
    return mergeMap(isJsonObject(original) ? original : {}, patch)
  }
  if (Array.isArray(patch)) {
    const mergeKey = mergeKeys[key]
    if (mergeKey) return mergeKeyedList(key, mergeKey, Array.isArray(original) ? original : [], patch)
    if (mergedPrimitiveLists.has(key))
      return mergePrimitiveList(Array.isArray(original) ? original : [], patch)
    return stripDirectives(patch)
  }
  return patch
}

function mergeKeyedList(field: string, mergeKey: string, original: Json[], patch: Json[]): Json[] {
  const replaceAll = patch.some((item) => isJsonObject(item) && item['$patch'] === 'replace')
  if (replaceAll) {
    return patch
      .filter((item) => !(isJsonObject(item) && item['$patch'] === 'replace'))
      .map((item) => stripDirectives(item))
  }
  const result = clone(original)
  for (const item of patch) {
    if (!isJsonObject(item)) {
      throw unprocessablePatch(`${field}: expected a map of ${mergeKey} entries, got ${JSON.stringify(item)}`)
    }
    if (!Object.hasOwn(item, mergeKey)) {
      throw unprocessablePatch(
        `map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`
      )
    }
    const index = result.findIndex(
      (existing) => isJsonObject(existing) && deepEqual(existing[mergeKey], item[mergeKey])
    )
    if (item['$patch'] === 'delete') {
      if (index >= 0) result.splice(index, 1)
      continue
    }
    if (index >= 0) {
      const merged = mergeMap(result[index] as JsonObject, item)
      if (merged === undefined) result.splice(index, 1)
      else result[index] = merged
    } else {
      result.push(stripDirectives(item))
    }
  }
  return result
}

function mergePrimitiveList(original: Json[], patch: Json[]): Json[] {
  const result = clone(original)
  for (const item of patch) {
    if (!result.some((existing) => deepEqual(existing, item))) result.push(item)
  }
  return result
}

function applyOrder(field: string, list: Json[], order: Json[]): Json[] {
  const mergeKey = mergeKeys[field]
  const position = (item: Json): number => {
    const index = order.findIndex((entry) =>
      mergeKey && isJsonObject(entry) && isJsonObject(item)
        ? deepEqual(entry[mergeKey], item[mergeKey])
        : deepEqual(entry, item)
    )
    return index < 0 ? Number.MAX_SAFE_INTEGER : index
  }
  return list
    .map((item, index) => ({ item, index }))
    .sort((a, b) => position(a.item) - position(b.item) || a.index - b.index)
    .map(({ item }) => item)
}

function withoutKey(object: JsonObject, key: string): JsonObject {
  const copy = { ...object }
  delete copy[key]
  return copy
}

/** Removes `$`-directives from values that are inserted as they are, not merged. */
function stripDirectives<T extends Json>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => stripDirectives(item)) as T
  if (!isJsonObject(value)) return value
  const result: JsonObject = {}
  for (const [key, item] of Object.entries(value)) {
    if (key.startsWith('$')) continue
    if (item === null) continue
    result[key] = stripDirectives(item)
  }
  return result as T
}
