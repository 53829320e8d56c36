import type { EndpointRequest } from './endpoint.js'

/**
 * GitHub's page-number pagination: `per_page` (default 30, at most 100) and `page` (from 1), with a
 * `Link` header naming the first, prev, next and last pages, which Octokit's paginate follows.
 */
export interface Page<T> {
  items: T[]
  headers: { [name: string]: string }
}

export function paginate<T>(items: T[], request: Pick<EndpointRequest, 'query' | 'url' | 'world'>): Page<T> {
  const perPage = clamp(Number(request.query.per_page ?? 30), 1, 100)
  const page = Math.max(1, Math.trunc(Number(request.query.page ?? 1)) || 1)
  const lastPage = Math.max(1, Math.ceil(items.length / perPage))
  const pageItems = items.slice((page - 1) * perPage, page * perPage)
  if (lastPage === 1 && page === 1) return { items: pageItems, headers: {} }

  const link = (target: number, rel: string): string => {
    const url = new URL(request.url.pathname + request.url.search, request.world.apiUrl)
    url.searchParams.set('per_page', String(perPage))
    url.searchParams.set('page', String(target))
    return `<${url.toString()}>; rel="${rel}"`
  }
  const links: string[] = []
  if (page > 1) links.push(link(Math.min(page - 1, lastPage), 'prev'))
  if (page < lastPage) links.push(link(page + 1, 'next'), link(lastPage, 'last'))
  if (page > 1) links.push(link(1, 'first'))
  return { items: pageItems, headers: { link: links.join(', ') } }
}

function clamp(value: number, minimum: number, maximum: number): number {
  if (!Number.isFinite(value)) return minimum
  return Math.min(maximum, Math.max(minimum, Math.trunc(value)))
}
