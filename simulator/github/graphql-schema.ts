import type { GraphQLSchema } from 'graphql'

/**
 * GitHub's published GraphQL schema (npm @octokit/graphql-schema, a devDependency: queries are
 * validated against the whole schema, since any selection on a PullRequest can reach most of it).
 * Loaded on the first GraphQL request and shared by every emulator in the process (~0.4 s).
 */
let shared: Promise<GraphQLSchema> | undefined

export function githubGraphQLSchema(): Promise<GraphQLSchema> {
  shared ??= Promise.all([import('@octokit/graphql-schema'), import('graphql')]).then(
    ([{ schema }, { buildClientSchema }]) =>
      buildClientSchema(schema.json as unknown as Parameters<typeof buildClientSchema>[0])
  )
  return shared
}
