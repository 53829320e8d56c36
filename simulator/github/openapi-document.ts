import { readFileSync } from 'node:fs'

/**
 * The subset of GitHub's OpenAPI 3.0 description that scripts/extract-github-openapi.ts writes,
 * and lookups into it. Only the parts the emulator reads are typed.
 */
export type SchemaObject = { [key: string]: unknown }

export interface ParameterObject {
  name: string
  in: 'path' | 'query' | 'header' | 'cookie'
  required?: boolean
  schema?: SchemaObject
  'x-multi-segment'?: boolean
}

export interface MediaTypeObject {
  schema?: SchemaObject
}

export interface ResponseObject {
  description?: string
  content?: { [mediaType: string]: MediaTypeObject }
}

export interface OperationObject {
  operationId: string
  parameters?: Array<ParameterObject | Reference>
  requestBody?: { required?: boolean; content: { [mediaType: string]: MediaTypeObject } }
  responses: { [status: string]: ResponseObject | Reference }
  externalDocs?: { url: string }
}

export interface Reference {
  $ref: string
}

export interface OpenApiSubset {
  'x-subset': { source: string; operations: string[] }
  openapi: string
  paths: { [path: string]: { [method: string]: OperationObject } }
  components: {
    schemas: { [name: string]: SchemaObject }
    parameters?: { [name: string]: ParameterObject }
    responses?: { [name: string]: ResponseObject }
  }
}

/** One operation with its parameters and responses resolved (schemas still hold `$ref`s). */
export interface ResolvedOperation {
  operationId: string
  method: string
  pathTemplate: string
  parameters: ParameterObject[]
  requestBodySchema?: SchemaObject
  requestBodyRequired: boolean
  responses: Map<string, ResponseObject>
  documentationUrl: string
}

const SUBSET_FILE = new URL('./openapi/api.github.com.subset.json', import.meta.url)

let cached: OpenApiSubset | undefined

export function loadOpenApiSubset(): OpenApiSubset {
  cached ??= JSON.parse(readFileSync(SUBSET_FILE, 'utf8')) as OpenApiSubset
  return cached
}

function isReference(value: unknown): value is Reference {
  return typeof value === 'object' && value !== null && '$ref' in value
}

function resolveComponent<T>(
  document: OpenApiSubset,
  value: T | Reference,
  kind: 'parameters' | 'responses'
): T {
  if (!isReference(value)) return value
  const prefix = `#/components/${kind}/`
  if (!value.$ref.startsWith(prefix)) throw new Error(`Unexpected $ref ${value.$ref} among ${kind}`)
  const target = document.components[kind]?.[value.$ref.slice(prefix.length)]
  if (target === undefined) throw new Error(`Dangling $ref ${value.$ref}`)
  return target as T
}

export function resolveOperations(document: OpenApiSubset): ResolvedOperation[] {
  const operations: ResolvedOperation[] = []
  for (const [pathTemplate, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (method === 'parameters') continue
      const json = operation.requestBody?.content['application/json']
      operations.push({
        operationId: operation.operationId,
        method: method.toUpperCase(),
        pathTemplate,
        parameters: (operation.parameters ?? []).map((parameter) =>
          resolveComponent<ParameterObject>(document, parameter, 'parameters')
        ),
        requestBodySchema: json?.schema,
        requestBodyRequired: operation.requestBody?.required === true,
        responses: new Map(
          Object.entries(operation.responses).map(([status, response]) => [
            status,
            resolveComponent<ResponseObject>(document, response, 'responses')
          ])
        ),
        documentationUrl: operation.externalDocs?.url ?? 'https://docs.github.com/rest'
      })
    }
  }
  return operations
}
