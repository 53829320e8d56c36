import type { V1Ingress, V1LabelSelector, V1Namespace, V1ObjectMeta } from '@kubernetes/client-node'
import { matchesLabelSelector } from '../kubernetes/api/label-selector.js'

/**
 * Which served hostnames have no TLS, for networking.k8s.io/v1 Ingresses and
 * gateway.networking.k8s.io/v1 HTTPRoutes.
 *
 * Ingress: every `spec.rules[].host` must be covered by a `spec.tls[].hosts` entry of the same
 * Ingress. A wildcard `*.example.com` covers exactly one label (`a.example.com`, not
 * `a.b.example.com` nor `example.com`), as certificates and ingress controllers match it. A
 * rule without a host serves every host and is only covered by a TLS entry without `hosts`
 * (which means "the controller's wildcard"). A TLS entry without `secretName` is served with
 * the controller's default certificate and counts as TLS.
 *
 * HTTPRoute: a hostname is covered when a listener it attaches to (parentRefs by Gateway
 * name, namespace, `sectionName` and `port`; the listener's `allowedRoutes` permit the route's
 * namespace and kind) whose hostname contains it uses HTTPS (or TLS, where the listener admits
 * HTTPRoutes) in `Terminate` mode with `certificateRefs`. Gateway API wildcards are suffix
 * matches: `*.example.com` matches `a.example.com` and `a.b.example.com`. A route without
 * hostnames takes each attached listener's hostname (`*` when the listener has none).
 * parentRefs to other kinds (a Service, for a mesh) are not north-south traffic and skipped.
 */

export type TlsGapProblem = 'no-tls' | 'partial' | 'no-certificate' | 'no-listener' | 'no-gateway'

export interface TlsGap {
  kind: 'Ingress' | 'HTTPRoute'
  namespace: string
  name: string
  /** The hostname served without TLS; `*` for "any host". */
  host: string
  problem: TlsGapProblem
  message: string
}

export function ingressTlsGaps(ingresses: V1Ingress[]): TlsGap[] {
  const gaps: TlsGap[] = []
  for (const ingress of ingresses) {
    const { namespace, name } = identity(ingress.metadata)
    const tls = ingress.spec?.tls ?? []
    const coversAll = tls.some((entry) => (entry.hosts ?? []).length === 0)
    const patterns = tls.flatMap((entry) => entry.hosts ?? [])
    const hosts = new Set<string>()
    for (const rule of ingress.spec?.rules ?? []) hosts.add(rule.host ? rule.host.toLowerCase() : '*')
    if ((ingress.spec?.rules ?? []).length === 0 && ingress.spec?.defaultBackend) hosts.add('*')
    for (const host of hosts) {
      if (coversAll || (host !== '*' && patterns.some((pattern) => ingressTlsCovers(pattern, host)))) continue
      gaps.push({
        kind: 'Ingress',
        namespace,
        name,
        host,
        problem: 'no-tls',
        message:
          host === '*'
            ? `ingress/${name} in ${namespace} serves requests for any host (a rule without host) and no TLS entry covers them`
            : `ingress/${name} in ${namespace} serves ${host} without TLS: no spec.tls[].hosts entry covers it`
      })
    }
  }
  return gaps
}

/** Whether an Ingress TLS host (or certificate name) covers `host`; `*.` matches one label. */
export function ingressTlsCovers(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase()
  const h = host.toLowerCase()
  if (p === h) return true
  if (!p.startsWith('*.') || h.startsWith('*.')) return false
  const dot = h.indexOf('.')
  return dot > 0 && h.slice(dot + 1) === p.slice(2)
}

export interface GatewayListener {
  name: string
  hostname?: string
  port: number
  protocol: string
  tls?: {
    mode?: string
    certificateRefs?: { group?: string; kind?: string; name: string; namespace?: string }[]
  }
  allowedRoutes?: {
    namespaces?: { from?: string; selector?: V1LabelSelector }
    kinds?: { group?: string; kind: string }[]
  }
}

export interface Gateway {
  apiVersion?: string
  kind?: string
  metadata?: V1ObjectMeta
  spec?: { gatewayClassName?: string; listeners?: GatewayListener[] }
}

export interface ParentReference {
  group?: string
  kind?: string
  namespace?: string
  name: string
  sectionName?: string
  port?: number
}

export interface HTTPRoute {
  apiVersion?: string
  kind?: string
  metadata?: V1ObjectMeta
  spec?: { parentRefs?: ParentReference[]; hostnames?: string[] }
}

const GATEWAY_GROUP = 'gateway.networking.k8s.io'

/**
 * TLS gaps of HTTPRoutes. `gateways` are those the routes may name (any namespace);
 * `namespaces` give the labels for listeners with `allowedRoutes.namespaces.from: Selector`
 * (a namespace not listed is taken to be allowed).
 */
export function httpRouteTlsGaps(
  routes: HTTPRoute[],
  gateways: Gateway[],
  namespaces: V1Namespace[] = []
): TlsGap[] {
  const gaps: TlsGap[] = []
  for (const route of routes) {
    const { namespace, name } = identity(route.metadata)
    const gap = (host: string, problem: TlsGapProblem, message: string) =>
      gaps.push({
        kind: 'HTTPRoute',
        namespace,
        name,
        host,
        problem,
        message: `httproute/${name} in ${namespace}: ${message}`
      })

    const attached: GatewayListener[] = []
    const missing: string[] = []
    for (const ref of route.spec?.parentRefs ?? []) {
      if ((ref.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (ref.kind ?? 'Gateway') !== 'Gateway') continue
      const gatewayNamespace = ref.namespace ?? namespace
      const gateway = gateways.find(
        (g) =>
          g.metadata?.name === ref.name && (g.metadata?.namespace ?? gatewayNamespace) === gatewayNamespace
      )
      if (!gateway) {
        missing.push(`${gatewayNamespace}/${ref.name}`)
        continue
      }
      for (const listener of gateway.spec?.listeners ?? []) {
        if (ref.sectionName !== undefined && listener.name !== ref.sectionName) continue
        if (ref.port !== undefined && listener.port !== ref.port) continue
        if (!admitsHttpRoute(listener, namespace, gatewayNamespace, namespaces)) continue
        attached.push(listener)
      }
    }

    const hostnames = (route.spec?.hostnames ?? []).map((h) => h.toLowerCase())
    const hosts =
      hostnames.length > 0 ? hostnames : [...new Set(attached.map((l) => l.hostname?.toLowerCase() ?? '*'))]
    if (hosts.length === 0 && missing.length > 0)
      gap('*', 'no-gateway', `its parent Gateway ${missing.join(', ')} does not exist`)
    if (hosts.length === 0 && missing.length === 0)
      gap('*', 'no-listener', 'no listener of its parent Gateways admits it')

    for (const host of hosts) {
      const matching = attached.filter((l) => gatewayHostsIntersect(l.hostname, host))
      if (matching.length === 0) {
        gap(
          host,
          missing.length > 0 ? 'no-gateway' : 'no-listener',
          missing.length > 0
            ? `${host}: its parent Gateway ${missing.join(', ')} does not exist`
            : `${host}: no listener of its parent Gateways admits this hostname`
        )
        continue
      }
      const terminating = matching.filter(terminatesTls)
      const withCertificates = terminating.filter((l) => (l.tls?.certificateRefs ?? []).length > 0)
      if (withCertificates.some((l) => gatewayHostCovers(l.hostname, host))) continue
      if (withCertificates.length > 0)
        gap(
          host,
          'partial',
          `${host}: only part of it is served by HTTPS listeners (${withCertificates.map((l) => l.name).join(', ')}), the rest without TLS`
        )
      else if (terminating.length > 0)
        gap(
          host,
          'no-certificate',
          `${host}: HTTPS listener ${terminating.map((l) => l.name).join(', ')} has no tls.certificateRefs`
        )
      else
        gap(
          host,
          'no-tls',
          `${host} is served without TLS (listeners ${matching.map((l) => `${l.name} ${l.protocol}/${l.port}`).join(', ')})`
        )
    }
  }
  return gaps
}

function terminatesTls(listener: GatewayListener): boolean {
  const protocol = listener.protocol.toUpperCase()
  return (protocol === 'HTTPS' || protocol === 'TLS') && (listener.tls?.mode ?? 'Terminate') === 'Terminate'
}

function admitsHttpRoute(
  listener: GatewayListener,
  routeNamespace: string,
  gatewayNamespace: string,
  namespaces: V1Namespace[]
): boolean {
  const kinds = listener.allowedRoutes?.kinds
  if (kinds !== undefined && kinds.length > 0) {
    if (!kinds.some((k) => k.kind === 'HTTPRoute' && (k.group ?? GATEWAY_GROUP) === GATEWAY_GROUP))
      return false
  } else if (!['HTTP', 'HTTPS'].includes(listener.protocol.toUpperCase())) return false

  const from = listener.allowedRoutes?.namespaces?.from ?? 'Same'
  if (from === 'All') return true
  if (from === 'Same') return routeNamespace === gatewayNamespace
  if (from === 'Selector') {
    const ns = namespaces.find((n) => n.metadata?.name === routeNamespace)
    return (
      ns === undefined ||
      matchesLabelSelector(ns.metadata?.labels, listener.allowedRoutes?.namespaces?.selector)
    )
  }
  return false
}

/** Whether `host` (exact or `*.` wildcard) and a listener hostname have any host in common. */
export function gatewayHostsIntersect(listenerHost: string | undefined, host: string): boolean {
  if (listenerHost === undefined || listenerHost === '' || host === '*') return true
  const l = listenerHost.toLowerCase()
  const h = host.toLowerCase()
  if (!l.startsWith('*.') && !h.startsWith('*.')) return l === h
  if (l.startsWith('*.') && !h.startsWith('*.')) return h.endsWith(l.slice(1))
  if (!l.startsWith('*.')) return l.endsWith(h.slice(1))
  return l === h || l.endsWith(h.slice(1)) || h.endsWith(l.slice(1))
}

/** Whether every host matched by `host` is also matched by the listener hostname (suffix wildcards). */
export function gatewayHostCovers(listenerHost: string | undefined, host: string): boolean {
  if (listenerHost === undefined || listenerHost === '') return true
  if (host === '*') return false
  const l = listenerHost.toLowerCase()
  const h = host.toLowerCase()
  if (!l.startsWith('*.')) return l === h
  return h === l || h.endsWith(l.slice(1))
}

function identity(metadata: V1ObjectMeta | undefined): { namespace: string; name: string } {
  return { namespace: metadata?.namespace ?? 'default', name: metadata?.name ?? '?' }
}
