/**
 * RFC 7386 JSON Merge Patch (`application/merge-patch+json`): objects merge recursively,
 * `null` deletes a key, and anything else (lists included) replaces the target wholesale.
 */
import { clone, isJsonObject, type Json, type JsonObject } from './json-values.js'

export function applyMergePatch(target: Json | undefined, patch: Json): Json {
  if (!isJsonObject(patch)) return clone(patch)
  const result: JsonObject = isJsonObject(target) ? clone(target) : {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key]
    } else {
      result[key] = applyMergePatch(result[key], value)
    }
  }
  return result
}
