import { describe, expect, it } from '@jest/globals'
import { extractSubset } from '../../../scripts/extract-github-openapi.js'

describe('extract-github-openapi', () => {
  const description = {
    openapi: '3.0.3',
    info: { version: '99.0.0', title: 'test' },
    paths: {
      '/repos/{owner}/{repo}/widgets': {
        get: {
          operationId: 'widgets/list',
          parameters: [{ $ref: '#/components/parameters/owner' }],
          responses: {
            '200': {
              content: {
                'application/json': {
                  schema: { type: 'array', items: { $ref: '#/components/schemas/widget' } }
                }
              }
            }
          }
        },
        delete: { operationId: 'widgets/delete', responses: { '204': { description: 'gone' } } }
      },
      '/gadgets': { get: { operationId: 'gadgets/list', responses: {} } }
    },
    components: {
      parameters: {
        owner: { name: 'owner', in: 'path', schema: { type: 'string' } },
        unused: { name: 'x', in: 'query' }
      },
      schemas: {
        widget: { type: 'object', properties: { maker: { $ref: '#/components/schemas/maker' } } },
        maker: { type: 'object', properties: { name: { type: 'string' } } },
        gadget: { type: 'object' },
        'basic-error': { type: 'object' },
        'validation-error': { type: 'object' }
      }
    }
  }

  it('keeps only the listed operations and every component they reach, transitively', () => {
    const subset = extractSubset(description, ['widgets/list']) as {
      paths: { [path: string]: object }
      components: { schemas: object; parameters: object }
      'x-subset': { source: string; operations: string[] }
    }

    expect(Object.keys(subset.paths)).toEqual(['/repos/{owner}/{repo}/widgets'])
    expect(Object.keys(subset.paths['/repos/{owner}/{repo}/widgets'] ?? {})).toEqual(['get'])
    expect(Object.keys(subset.components.schemas)).toEqual([
      'basic-error',
      'maker',
      'validation-error',
      'widget'
    ])
    expect(Object.keys(subset.components.parameters)).toEqual(['owner'])
    expect(subset['x-subset']).toMatchObject({
      source: '@octokit/openapi@99.0.0',
      operations: ['widgets/list']
    })
  })

  it('writes the same document whatever order the source lists things in', () => {
    const reordered = {
      ...description,
      components: {
        schemas: { ...description.components.schemas },
        parameters: description.components.parameters
      }
    }
    reordered.components.schemas = Object.fromEntries(
      Object.entries(description.components.schemas).reverse()
    ) as typeof description.components.schemas
    expect(JSON.stringify(extractSubset(reordered, ['widgets/list']))).toBe(
      JSON.stringify(extractSubset(description, ['widgets/list']))
    )
  })

  it('names the operations the description does not have', () => {
    expect(() => extractSubset(description, ['widgets/list', 'widgets/explode'])).toThrow(
      'Operations not in the description: widgets/explode'
    )
  })
})
