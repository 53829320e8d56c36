/**
 * The parts of a CustomResourceDefinition's structural schema (openAPIV3Schema) the
 * apiextensions-apiserver applies to custom objects: pruning of unknown fields (unless
 * `x-kubernetes-preserve-unknown-fields`), dropping of nulls, `default`s, and validation of
 * type, format date-time, enum, pattern, lengths, bounds, item counts and required fields, with
 * the apiserver's field paths and messages. CEL rules (`x-kubernetes-validations`), `oneOf`/
 * `anyOf`/`allOf`/`not` and list-map uniqueness are not evaluated.
 */
import type { FieldError } from './api-errors.js'
import { clone, isJsonObject, type Json, type JsonObject } from './json-values.js'

export interface StructuralSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean'
  properties?: Record<string, StructuralSchema>
  additionalProperties?: StructuralSchema | boolean
  items?: StructuralSchema
  required?: string[]
  enum?: Json[]
  pattern?: string
  format?: string
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  minItems?: number
  maxItems?: number
  default?: Json
  nullable?: boolean
  'x-kubernetes-preserve-unknown-fields'?: boolean
  'x-kubernetes-int-or-string'?: boolean
}

/** Fields every object keeps whatever its schema says (ObjectMeta is validated on its own). */
const rootFields = new Set(['apiVersion', 'kind', 'metadata'])

/**
 * Prunes and defaults `object` in place, as the apiserver does when decoding a request and when
 * reading from storage: unknown fields go, nulls of non-nullable fields go (or become the
 * default), and absent fields with a `default` get it.
 */
export function pruneAndDefault(object: JsonObject, schema: StructuralSchema): void {
  prune(object, schema, true)
  applyDefaults(object, schema)
}

function prune(value: Json, schema: StructuralSchema | undefined, root = false): void {
  if (!schema) return
  if (Array.isArray(value)) {
    for (const item of value) prune(item, schema.items)
    return
  }
  if (!isJsonObject(value)) return
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true
  const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined
  for (const key of Object.keys(value)) {
    if (root && rootFields.has(key)) continue
    const property = schema.properties?.[key]
    const child = property ?? additional
    if (child) {
      if (value[key] === null && child.nullable !== true && child.default === undefined) delete value[key]
      else prune(value[key]!, child)
    } else if (!preserve && schema.additionalProperties !== true) {
      delete value[key]
    }
  }
}

function applyDefaults(value: Json, schema: StructuralSchema | undefined): void {
  if (!schema) return
  if (Array.isArray(value)) {
    for (const item of value) applyDefaults(item, schema.items)
    return
  }
  if (!isJsonObject(value)) return
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    if (property.default === undefined) continue
    if (value[key] === undefined || (value[key] === null && property.nullable !== true)) {
      value[key] = clone(property.default)
    }
  }
  const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined
  for (const [key, child] of Object.entries(value)) {
    const property = schema.properties?.[key] ?? additional
    if (property) applyDefaults(child, property)
  }
}

export interface SchemaPaths {
  /** Path of the value in field errors (`status.conditions[0].reason`). */
  field: string
  /**
   * Path in the "in body" texts. The apiserver validates a /status write against the status
   * schema alone, so there it lacks the `status.` prefix (`conditions[0].reason in body ...`).
   */
  body: string
}

/** Validates a value against its schema; returns the field errors in a stable order. */
export function validateSchema(value: Json, schema: StructuralSchema, paths: SchemaPaths): FieldError[] {
  const errors: FieldError[] = []
  check(value, schema, paths, errors, true)
  return errors
}

function typeOf(value: Json): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

function hasType(value: Json, schema: StructuralSchema): boolean {
  if (schema['x-kubernetes-int-or-string']) return typeof value === 'string' || Number.isInteger(value)
  switch (schema.type) {
    case undefined:
      return true
    case 'number':
      return typeof value === 'number'
    default:
      return typeOf(value) === schema.type
  }
}

/** A value as field errors print it: strings quoted, numbers and booleans bare. */
function shown(value: Json): string {
  return JSON.stringify(value)
}

function child(paths: SchemaPaths, key: string): SchemaPaths {
  const join = (base: string) => (base ? `${base}.${key}` : key)
  return { field: join(paths.field), body: join(paths.body) }
}

function item(paths: SchemaPaths, index: number): SchemaPaths {
  return { field: `${paths.field}[${index}]`, body: `${paths.body}[${index}]` }
}

const patterns = new Map<string, RegExp>()
function compiled(pattern: string): RegExp {
  let regexp = patterns.get(pattern)
  if (!regexp) {
    regexp = new RegExp(pattern)
    patterns.set(pattern, regexp)
  }
  return regexp
}

const dateTime = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/

function invalid(field: string, value: string, why: string): FieldError {
  return { field, type: 'FieldValueInvalid', detail: `Invalid value: ${value}: ${why}` }
}

function check(
  value: Json,
  schema: StructuralSchema,
  paths: SchemaPaths,
  errors: FieldError[],
  root = false
): void {
  const { field, body } = paths
  if (!hasType(value, schema)) {
    const actual = typeOf(value)
    errors.push({
      field,
      type: 'FieldValueTypeInvalid',
      detail: `Invalid value: "${actual}": ${body} in body must be of type ${schema.type}: "${actual}"`
    })
    if (schema.enum) checkEnum(value, schema.enum, field, errors)
    return
  }
  if (schema.enum) checkEnum(value, schema.enum, field, errors)
  if (typeof value === 'string') {
    if (schema.format === 'date-time' && !dateTime.test(value)) {
      errors.push({
        field,
        type: 'FieldValueTypeInvalid',
        detail: `Invalid value: ${shown(value)}: ${body} in body must be of type date-time: ${shown(value)}`
      })
    }
    const length = [...value].length
    if (schema.maxLength !== undefined && length > schema.maxLength) {
      errors.push({
        field,
        type: 'FieldValueTooLong',
        detail: `Too long: may not be more than ${schema.maxLength} bytes`
      })
    }
    if (schema.minLength !== undefined && length < schema.minLength) {
      errors.push(
        invalid(field, shown(value), `${body} in body should be at least ${schema.minLength} chars long`)
      )
    }
    if (schema.pattern !== undefined && !compiled(schema.pattern).test(value)) {
      errors.push(invalid(field, shown(value), `${body} in body should match '${schema.pattern}'`))
    }
  } else if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) {
      errors.push(
        invalid(field, String(value), `${body} in body should be greater than or equal to ${schema.minimum}`)
      )
    }
    if (schema.maximum !== undefined && value > schema.maximum) {
      errors.push(
        invalid(field, String(value), `${body} in body should be less than or equal to ${schema.maximum}`)
      )
    }
  } else if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
      errors.push({
        field,
        type: 'FieldValueTooMany',
        detail: `Too many: ${value.length}: must have at most ${schema.maxItems} items`
      })
    }
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      errors.push(
        invalid(field, String(value.length), `${body} in body should have at least ${schema.minItems} items`)
      )
    }
    if (schema.items) value.forEach((entry, index) => check(entry, schema.items!, item(paths, index), errors))
  } else if (isJsonObject(value)) {
    const additional =
      typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined
    for (const key of Object.keys(value).sort()) {
      if (root && rootFields.has(key)) continue
      const property = schema.properties?.[key] ?? additional
      if (property) check(value[key]!, property, child(paths, key), errors)
    }
    for (const key of schema.required ?? []) {
      if (root && rootFields.has(key)) continue
      if (value[key] === undefined)
        errors.push({ field: child(paths, key).field, type: 'FieldValueRequired', detail: 'Required value' })
    }
  }
}

function checkEnum(value: Json, allowed: Json[], field: string, errors: FieldError[]): void {
  if (allowed.some((candidate) => JSON.stringify(candidate) === JSON.stringify(value))) return
  errors.push({
    field,
    type: 'FieldValueNotSupported',
    detail: `Unsupported value: ${shown(value)}: supported values: ${allowed.map((v) => shown(v)).join(', ')}`
  })
}
