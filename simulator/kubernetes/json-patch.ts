/**
 * RFC 6902 JSON Patch (`application/json-patch+json`): add, remove, replace, move, copy, test.
 * A malformed patch document is a 400; an operation that does not apply is the 422 the
 * apiserver returns, with error texts modelled on evanphx/json-patch, which it uses.
 */
import { badRequest, unprocessablePatch } from './api-errors.js'
import { clone, deepEqual, isJsonObject, type Json, type JsonObject } from './json-values.js'

interface Operation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test'
  path: string
  from?: string
  value?: Json
}

export function applyJsonPatch(document: Json, patch: unknown): Json {
  if (!Array.isArray(patch)) {
    throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch')
  }
  let result = clone(document)
  for (const raw of patch) {
    const operation = parseOperation(raw)
    result = applyOperation(result, operation)
  }
  return result
}

function parseOperation(raw: unknown): Operation {
  if (!isJsonObject(raw)) throw badRequest('json: cannot unmarshal into Go value of type jsonpatch.Operation')
  const op = raw['op']
  if (!['add', 'remove', 'replace', 'move', 'copy', 'test'].includes(op as string)) {
    throw unprocessablePatch(`Unexpected kind: ${String(op)}`)
  }
  if (typeof raw['path'] !== 'string') throw unprocessablePatch(`${String(op)} operation missing path`)
  if ((op === 'add' || op === 'replace' || op === 'test') && !Object.hasOwn(raw, 'value')) {
    throw unprocessablePatch(`${String(op)} operation missing value`)
  }
  if ((op === 'move' || op === 'copy') && typeof raw['from'] !== 'string') {
    throw unprocessablePatch(`${String(op)} operation missing from`)
  }
  return raw as unknown as Operation
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return []
  if (!pointer.startsWith('/')) throw unprocessablePatch(`JSON pointer must start with '/': ${pointer}`)
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'))
}

/** Walks to the parent of the last token; returns undefined when any step is missing. */
function parentOf(document: Json, tokens: string[]): Json | undefined {
  let current: Json | undefined = document
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(current)) {
      const index = arrayIndex(token, current.length - 1)
      current = index === undefined ? undefined : current[index]
    } else if (isJsonObject(current)) {
      current = Object.hasOwn(current, token) ? current[token] : undefined
    } else {
      return undefined
    }
    if (current === undefined) return undefined
  }
  return current
}

function arrayIndex(token: string, max: number): number | undefined {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined
  const index = Number(token)
  return index <= max ? index : undefined
}

function getValue(document: Json, pointer: string): Json | undefined {
  const tokens = parsePointer(pointer)
  if (tokens.length === 0) return document
  const parent = parentOf(document, tokens)
  const last = tokens[tokens.length - 1]!
  if (Array.isArray(parent)) {
    const index = arrayIndex(last, parent.length - 1)
    return index === undefined ? undefined : parent[index]
  }
  if (isJsonObject(parent)) return Object.hasOwn(parent, last) ? parent[last] : undefined
  return undefined
}

function missing(op: string, pointer: string): never {
  throw unprocessablePatch(`${op} operation does not apply: doc is missing path: "${pointer}": missing value`)
}

function addValue(document: Json, pointer: string, value: Json, op: string): Json {
  const tokens = parsePointer(pointer)
  if (tokens.length === 0) return value
  const parent = parentOf(document, tokens)
  const last = tokens[tokens.length - 1]!
  if (Array.isArray(parent)) {
    if (last === '-') {
      parent.push(value)
    } else {
      const index = arrayIndex(last, parent.length)
      if (index === undefined)
        throw unprocessablePatch(`${op} operation does not apply: index out of bounds: ${pointer}`)
      parent.splice(index, 0, value)
    }
  } else if (isJsonObject(parent)) {
    ;(parent as JsonObject)[last] = value
  } else {
    missing(op, pointer)
  }
  return document
}

function removeValue(document: Json, pointer: string, op: string): Json {
  const tokens = parsePointer(pointer)
  const parent = parentOf(document, tokens)
  const last = tokens[tokens.length - 1]!
  if (Array.isArray(parent)) {
    const index = arrayIndex(last, parent.length - 1)
    if (index === undefined) missing(op, pointer)
    parent.splice(index!, 1)
  } else if (isJsonObject(parent) && Object.hasOwn(parent, last)) {
    delete parent[last]
  } else {
    missing(op, pointer)
  }
  return document
}

function applyOperation(document: Json, operation: Operation): Json {
  switch (operation.op) {
    case 'add':
      return addValue(document, operation.path, clone(operation.value!), 'add')
    case 'remove':
      return removeValue(document, operation.path, 'remove')
    case 'replace': {
      if (getValue(document, operation.path) === undefined) {
        throw unprocessablePatch(
          `replace operation does not apply: doc is missing key: ${operation.path}: missing value`
        )
      }
      if (operation.path === '') return clone(operation.value!)
      removeValue(document, operation.path, 'replace')
      return addValue(document, operation.path, clone(operation.value!), 'replace')
    }
    case 'move': {
      const value = getValue(document, operation.from!)
      if (value === undefined) missing('move', operation.from!)
      removeValue(document, operation.from!, 'move')
      return addValue(document, operation.path, value!, 'move')
    }
    case 'copy': {
      const value = getValue(document, operation.from!)
      if (value === undefined) missing('copy', operation.from!)
      return addValue(document, operation.path, clone(value!), 'copy')
    }
    case 'test': {
      const value = getValue(document, operation.path)
      if (!deepEqual(value ?? null, operation.value)) {
        throw unprocessablePatch(`testing value ${operation.path} failed: test failed`)
      }
      return document
    }
  }
}
