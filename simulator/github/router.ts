import type { ResolvedOperation } from './openapi-document.js'

/**
 * Finds the OpenAPI operation for a method and path. A parameter marked `x-multi-segment` (a git
 * ref such as `heads/main`, a commit sha) or named `path` (a file path) may span slashes, whether
 * the client sent them raw or percent-encoded as Octokit does.
 */
export interface RouteMatch {
  operation: ResolvedOperation
  pathParameters: { [name: string]: string }
}

interface Route {
  operation: ResolvedOperation
  pattern: RegExp
  names: string[]
  literalLength: number
}

export class Router {
  private readonly routes: Route[]

  constructor(operations: ResolvedOperation[]) {
    this.routes = operations
      .map((operation) => compileRoute(operation))
      // The most specific template first, so `/repos/{owner}/{repo}` never swallows a longer path.
      .sort((left, right) => right.literalLength - left.literalLength)
  }

  match(method: string, pathname: string): RouteMatch | undefined {
    for (const route of this.routes) {
      if (route.operation.method !== method) continue
      const match = route.pattern.exec(pathname)
      if (match === null) continue
      const pathParameters: { [name: string]: string } = {}
      route.names.forEach((name, index) => {
        pathParameters[name] = safeDecode(match[index + 1] ?? '')
      })
      return { operation: route.operation, pathParameters }
    }
    return undefined
  }
}

function compileRoute(operation: ResolvedOperation): Route {
  const names: string[] = []
  const multiSegment = new Set(
    operation.parameters
      .filter(
        (parameter) => parameter.in === 'path' && (parameter['x-multi-segment'] || parameter.name === 'path')
      )
      .map((parameter) => parameter.name)
  )
  const source = operation.pathTemplate
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const name = /^\{([^}]+)\}$/.exec(part)?.[1]
      if (name === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      names.push(name)
      return multiSegment.has(name) ? '(.+)' : '([^/]+)'
    })
    .join('')
  return {
    operation,
    pattern: new RegExp(`^${source}/?$`),
    names,
    literalLength: operation.pathTemplate.replace(/\{[^}]+\}/g, '').length
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}
