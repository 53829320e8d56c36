import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js'
import { fullFormats } from 'ajv-formats/dist/formats.js'
import {
  loadOpenApiSubset,
  resolveOperations,
  type OpenApiSubset,
  type ResolvedOperation,
  type SchemaObject
} from './openapi-document.js'
import { toJsonSchema } from './schema-conversion.js'

/**
 * Checks requests and responses against the OpenAPI subset with ajv (draft 2020-12).
 * Validators are compiled on first use and shared by every emulator in the process.
 */
const REF_BASE = 'https://emulator.invalid/github-openapi-subset.json'

/** Query parameters GitHub accepts for an operation although this description version omits them. */
const UNDOCUMENTED_QUERY_PARAMETERS: { [operationId: string]: string[] } = {
  // Listed in GitHub's REST docs and on the org-level alerts operation, not yet on the repository one.
  'code-scanning/list-alerts-for-repo': ['severity']
}

export interface RequestCheck {
  /** Path and query parameters coerced to their documented types, with documented defaults filled in. */
  pathParameters: { [name: string]: unknown }
  query: { [name: string]: unknown }
  /** Every mismatch, detailed for the violation log. */
  violations: string[]
  /** The mismatches GitHub refuses with 422, in GitHub's wording (undocumented query parameters it ignores). */
  rejections: string[]
}

interface OperationValidators {
  parameters: ValidateFunction
  body?: ValidateFunction
  responses: Map<string, ValidateFunction | null>
}

export class OpenApiValidator {
  readonly operations: ResolvedOperation[]
  private readonly strict: Ajv2020
  private readonly coercing: Ajv2020
  private readonly compiled = new Map<string, OperationValidators>()
  private readonly components = new Map<string, ValidateFunction>()

  constructor(readonly document: OpenApiSubset) {
    this.operations = resolveOperations(document)
    const definitions = {
      $id: REF_BASE,
      $defs: Object.fromEntries(
        Object.entries(document.components.schemas).map(([name, schema]) => [
          name,
          toJsonSchema(schema, REF_BASE)
        ])
      )
    }
    this.strict = createAjv({ coerce: false })
    this.coercing = createAjv({ coerce: true })
    this.strict.addSchema(definitions)
    this.coercing.addSchema(definitions)
  }

  checkRequest(
    operation: ResolvedOperation,
    rawPathParameters: { [name: string]: string },
    rawQuery: { [name: string]: string },
    body: unknown
  ): RequestCheck {
    const validators = this.validatorsFor(operation)
    const data: { path: { [name: string]: unknown }; query: { [name: string]: unknown } } = {
      path: { ...rawPathParameters },
      query: { ...rawQuery }
    }
    const check: RequestCheck = {
      pathParameters: data.path,
      query: data.query,
      violations: [],
      rejections: []
    }
    const reject = (where: string, errors: ErrorObject[] | null | undefined): void => {
      check.violations.push(...describeErrors(where, errors))
      check.rejections.push(...(errors ?? []).map(describeInGitHubWords))
    }
    if (!validators.parameters(data)) reject('parameters', validators.parameters.errors)

    const documented = new Set(operation.parameters.filter((p) => p.in === 'query').map((p) => p.name))
    for (const name of UNDOCUMENTED_QUERY_PARAMETERS[operation.operationId] ?? []) documented.add(name)
    for (const name of Object.keys(rawQuery)) {
      // GitHub ignores unknown query parameters, so this is logged but not refused.
      if (!documented.has(name))
        check.violations.push(`query parameter '${name}' is not documented for this operation`)
    }

    if (validators.body !== undefined) {
      if (body === undefined) {
        if (operation.requestBodyRequired) {
          check.violations.push('request body is required but missing')
          check.rejections.push('Request body is required.')
        }
      } else if (!validators.body(body)) {
        reject('body', validators.body.errors)
      }
    }
    return check
  }

  /** Problems with a response, or an empty list. Undocumented error statuses are held to GitHub's error shapes. */
  checkResponse(operation: ResolvedOperation | undefined, status: number, body: unknown): string[] {
    const documented = operation === undefined ? undefined : this.responseValidator(operation, status)
    if (documented === undefined) {
      if (status < 400) return [`status ${status} is not documented for this operation`]
      const fallback = this.componentValidator(status === 422 ? 'validation-error' : 'basic-error')
      return fallback(body) ? [] : describeErrors(`response ${status} body`, fallback.errors)
    }
    if (documented === null) return []
    return documented(body) ? [] : describeErrors(`response ${status} body`, documented.errors)
  }

  /** Problems with a value that should have the shape of `#/components/schemas/<name>`. */
  checkSchema(name: string, value: unknown): string[] {
    const validator = this.componentValidator(name)
    return validator(value) ? [] : describeErrors(name, validator.errors)
  }

  /** undefined: status not documented; null: documented without a JSON body. */
  private responseValidator(
    operation: ResolvedOperation,
    status: number
  ): ValidateFunction | null | undefined {
    const validators = this.validatorsFor(operation)
    const keys = [String(status), `${String(status)[0]}XX`, 'default']
    const key = keys.find((candidate) => operation.responses.has(candidate))
    if (key === undefined) return undefined
    if (!validators.responses.has(key)) {
      const schema = operation.responses.get(key)?.content?.['application/json']?.schema
      validators.responses.set(key, schema === undefined ? null : this.strict.compile(this.convert(schema)))
    }
    return validators.responses.get(key)
  }

  private componentValidator(name: string): ValidateFunction {
    let validator = this.components.get(name)
    if (validator === undefined) {
      if (this.document.components.schemas[name] === undefined)
        throw new Error(`No schema '${name}' in the subset`)
      validator = this.strict.compile({ $ref: `${REF_BASE}#/$defs/${name}` })
      this.components.set(name, validator)
    }
    return validator
  }

  private validatorsFor(operation: ResolvedOperation): OperationValidators {
    let validators = this.compiled.get(operation.operationId)
    if (validators === undefined) {
      validators = {
        parameters: this.coercing.compile(this.parametersSchema(operation)),
        body:
          operation.requestBodySchema === undefined
            ? undefined
            : this.strict.compile(this.convert(operation.requestBodySchema)),
        responses: new Map()
      }
      this.compiled.set(operation.operationId, validators)
    }
    return validators
  }

  private parametersSchema(operation: ResolvedOperation): SchemaObject {
    const group = (location: 'path' | 'query'): SchemaObject => {
      const parameters = operation.parameters.filter((parameter) => parameter.in === location)
      return {
        type: 'object',
        properties: Object.fromEntries(
          parameters.map((parameter) => [parameter.name, this.convert(parameter.schema ?? {})])
        ),
        required: parameters
          .filter((parameter) => parameter.required === true)
          .map((parameter) => parameter.name)
      }
    }
    return { type: 'object', properties: { path: group('path'), query: group('query') } }
  }

  private convert(schema: SchemaObject): SchemaObject {
    return toJsonSchema(schema, REF_BASE) as SchemaObject
  }
}

function createAjv(options: { coerce: boolean }): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    verbose: true,
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    allowUnionTypes: true,
    coerceTypes: options.coerce,
    useDefaults: options.coerce
  })
  // Only the formats the description uses; any other format makes compilation throw (ajv strict
  // mode), so a refreshed subset with a new format is noticed instead of silently unchecked.
  ajv.addFormat('uri', fullFormats.uri)
  ajv.addFormat('date-time', fullFormats['date-time'])
  ajv.addFormat('int64', fullFormats.int64)
  ajv.addFormat('repo.nwo', /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/)
  return ajv
}

/** Readable problems: where (JSON pointer into the data), what ajv says, and the offending value. */
export function describeErrors(where: string, errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => {
    const path = error.instancePath === '' ? '' : ` ${error.instancePath}`
    const allowed = error.keyword === 'enum' ? ` ${JSON.stringify(error.params.allowedValues)}` : ''
    return `${where}${path} ${error.message ?? error.keyword}${allowed}`
  })
}

/** Roughly how GitHub words a schema failure in its 422 "Invalid request." message. */
function describeInGitHubWords(error: ErrorObject): string {
  const pointer = error.instancePath.replace(/^\/(path|query)/, '').replace(/^\//, '')
  const field = pointer === '' ? '' : `For '${pointer}', `
  const value = JSON.stringify(error.data) ?? 'nil'
  switch (error.keyword) {
    case 'required':
      return `"${String(error.params.missingProperty)}" wasn't supplied.`
    case 'enum':
      return `${field}${value} is not a member of ${JSON.stringify(error.params.allowedValues)}.`
    case 'type':
      return `${field}${value} is not ${/^[aeiou]/.test(String(error.params.type)) ? 'an' : 'a'} ${String(error.params.type)}.`
    case 'anyOf':
    case 'oneOf':
      return `${field}No subschema in "${error.keyword}" matched.`
    default:
      return `${field}${value} ${error.message ?? error.keyword}.`
  }
}

let shared: OpenApiValidator | undefined

export function sharedOpenApiValidator(): OpenApiValidator {
  shared ??= new OpenApiValidator(loadOpenApiSubset())
  return shared
}
