/**
 * Turns an OpenAPI 3.0 schema (as GitHub publishes it) into JSON Schema draft 2020-12 for ajv.
 *
 * - `nullable: true` becomes a `null` member of `type` (and of `enum`, which would otherwise
 *   reject null before `type` is consulted); without a `type` the schema is wrapped in an anyOf.
 * - `$ref: '#/components/schemas/x'` points into the document registered under `refBase`.
 * - Keywords that only document (`example`, `discriminator`, `x-*` extensions) are dropped, so
 *   ajv's strict mode can still reject any keyword this conversion does not know about.
 * - `oneOf` is checked as `anyOf`: GitHub writes oneOf for unions whose members overlap (a 409
 *   is `basic-error` or `repository-rule-violation-error`, and any error body fits both), so read
 *   strictly it would refuse every real answer. A value must still match a documented member.
 * - A URL field whose documented default is "" (deployment statuses' `environment_url`,
 *   `log_url`, `target_url`) accepts that empty string: GitHub sends it when the URL was never
 *   set, and it is the description's own default, not a malformed URI.
 */
const DOCUMENTATION_ONLY = new Set(['example', 'discriminator', 'externalDocs', 'xml'])
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'dependentSchemas'])
const DATA_VALUES = new Set(['enum', 'const', 'default', 'examples', 'required'])

export function toJsonSchema(schema: unknown, refBase: string): unknown {
  if (Array.isArray(schema)) return schema.map((item) => toJsonSchema(item, refBase))
  if (typeof schema !== 'object' || schema === null) return schema

  const converted: { [key: string]: unknown } = {}
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith('x-') || DOCUMENTATION_ONLY.has(key) || key === 'nullable') continue
    if (key === 'oneOf') {
      converted.anyOf = toJsonSchema(value, refBase)
    } else if (key === '$ref' && typeof value === 'string') {
      converted.$ref = value.replace(/^#\/components\/schemas\//, `${refBase}#/$defs/`)
    } else if (SCHEMA_MAPS.has(key) && typeof value === 'object' && value !== null) {
      converted[key] = Object.fromEntries(
        Object.entries(value).map(([name, member]) => [name, toJsonSchema(member, refBase)])
      )
    } else if (DATA_VALUES.has(key)) {
      converted[key] = value
    } else {
      converted[key] = toJsonSchema(value, refBase)
    }
  }

  if (typeof converted.format === 'string' && converted.default === '') {
    const { format, ...rest } = converted
    return applyNullable(schema, { ...rest, anyOf: [{ const: '' }, { format }] })
  }
  return applyNullable(schema, converted)
}

function applyNullable(original: object, converted: { [key: string]: unknown }): unknown {
  if ((original as { nullable?: unknown }).nullable !== true) return converted
  if (Array.isArray(converted.enum) && !converted.enum.includes(null)) {
    converted.enum = [...converted.enum, null]
  }
  if (typeof converted.type === 'string') return { ...converted, type: [converted.type, 'null'] }
  if (Array.isArray(converted.type)) return { ...converted, type: [...converted.type, 'null'] }
  return { anyOf: [{ type: 'null' }, converted] }
}
