import { describe, expect, it } from '@jest/globals'
import type { V1Ingress, V1Namespace } from '@kubernetes/client-node'
import {
  gatewayHostCovers,
  gatewayHostsIntersect,
  httpRouteTlsGaps,
  ingressTlsCovers,
  ingressTlsGaps,
  type Gateway,
  type GatewayListener,
  type HTTPRoute,
  type ParentReference
} from '../../src/environment-checks/tls-coverage.js'

function ingress(
  name: string,
  hosts: (string | undefined)[],
  tls: { hosts?: string[]; secretName?: string }[]
): V1Ingress {
  return {
    metadata: { name, namespace: 'production' },
    spec: { ingressClassName: 'nginx', rules: hosts.map((host) => (host ? { host } : {})), tls }
  }
}

describe('ingressTlsGaps', () => {
  it('passes when every rule host has a TLS entry, wildcards included', () => {
    const covered = ingress(
      'web',
      ['app.example.com', 'api.example.com'],
      [
        { hosts: ['app.example.com'], secretName: 'app-tls' },
        { hosts: ['*.example.com'], secretName: 'wildcard-tls' }
      ]
    )
    expect(ingressTlsGaps([covered])).toEqual([])
  })

  it.each<[string, V1Ingress, string[]]>([
    [
      'a host without TLS',
      ingress('web', ['app.example.com', 'admin.example.com'], [{ hosts: ['app.example.com'] }]),
      ['admin.example.com']
    ],
    ['no TLS section at all', ingress('web', ['app.example.com'], []), ['app.example.com']],
    [
      'two labels under a one-label wildcard',
      ingress('web', ['a.b.example.com'], [{ hosts: ['*.example.com'] }]),
      ['a.b.example.com']
    ],
    [
      'the apex under a wildcard',
      ingress('web', ['example.com'], [{ hosts: ['*.example.com'] }]),
      ['example.com']
    ],
    [
      'a rule without host and only host-specific TLS',
      ingress('web', [undefined], [{ hosts: ['app.example.com'] }]),
      ['*']
    ]
  ])('names %s', (_case, ing, hosts) => {
    expect(ingressTlsGaps([ing]).map((g) => g.host)).toEqual(hosts)
  })

  it('counts a TLS entry without hosts as covering every host, and matches case-insensitively', () => {
    expect(
      ingressTlsGaps([ingress('web', [undefined, 'App.Example.com'], [{ secretName: 'default' }])])
    ).toEqual([])
    expect(ingressTlsGaps([ingress('web', ['App.Example.com'], [{ hosts: ['app.example.COM'] }])])).toEqual(
      []
    )
  })

  it('says which Ingress serves the host in plain text', () => {
    expect(ingressTlsGaps([ingress('web', ['app.example.com'], [])])[0]!.message).toBe(
      'ingress/web in production serves app.example.com without TLS: no spec.tls[].hosts entry covers it'
    )
  })

  it.each<[string, string, boolean]>([
    ['app.example.com', 'app.example.com', true],
    ['*.example.com', 'app.example.com', true],
    ['*.example.com', 'a.b.example.com', false],
    ['*.example.com', 'example.com', false],
    ['*.example.com', '*.example.com', true],
    ['app.example.com', '*.example.com', false]
  ])('ingressTlsCovers(%s, %s) is %s', (pattern, host, expected) => {
    expect(ingressTlsCovers(pattern, host)).toBe(expected)
  })
})

const HTTPS: GatewayListener = {
  name: 'https',
  port: 443,
  protocol: 'HTTPS',
  hostname: '*.example.com',
  tls: { mode: 'Terminate', certificateRefs: [{ name: 'wildcard-tls' }] }
}
const HTTP: GatewayListener = { name: 'http', port: 80, protocol: 'HTTP' }

function gateway(listeners: GatewayListener[], name = 'public', namespace = 'gateways'): Gateway {
  return { metadata: { name, namespace }, spec: { gatewayClassName: 'istio', listeners } }
}

function route(
  hostnames: string[] | undefined,
  parentRefs: ParentReference[] = [{ name: 'public', namespace: 'gateways' }]
): HTTPRoute {
  return {
    metadata: { name: 'my-app', namespace: 'production' },
    spec: { parentRefs, ...(hostnames ? { hostnames } : {}) }
  }
}

const allNamespaces = (l: GatewayListener): GatewayListener => ({
  ...l,
  allowedRoutes: { namespaces: { from: 'All' } }
})

describe('httpRouteTlsGaps', () => {
  it('passes a route whose hostname an HTTPS listener with a certificate serves (HTTP beside it is fine)', () => {
    const gw = gateway([allNamespaces(HTTPS), allNamespaces(HTTP)])
    expect(httpRouteTlsGaps([route(['app.example.com', 'a.b.example.com'])], [gw])).toEqual([])
  })

  it.each<[string, HTTPRoute, Gateway[], [string, string][]]>([
    [
      'a route attached only to the HTTP listener',
      route(['app.example.com'], [{ name: 'public', namespace: 'gateways', sectionName: 'http' }]),
      [gateway([allNamespaces(HTTPS), allNamespaces(HTTP)])],
      [['app.example.com', 'no-tls']]
    ],
    [
      'a hostname outside the HTTPS listener',
      route(['app.other.org']),
      [gateway([allNamespaces(HTTPS), allNamespaces(HTTP)])],
      [['app.other.org', 'no-tls']]
    ],
    [
      'an HTTPS listener without certificateRefs',
      route(['app.example.com']),
      [gateway([allNamespaces({ ...HTTPS, tls: { mode: 'Terminate' } })])],
      [['app.example.com', 'no-certificate']]
    ],
    [
      'a wildcard route wider than the HTTPS listener',
      route(['*.example.com']),
      [gateway([allNamespaces({ ...HTTPS, hostname: 'app.example.com' }), allNamespaces(HTTP)])],
      [['*.example.com', 'partial']]
    ],
    [
      'a parent Gateway that does not exist',
      route(['app.example.com'], [{ name: 'missing', namespace: 'gateways' }]),
      [gateway([allNamespaces(HTTPS)])],
      [['app.example.com', 'no-gateway']]
    ],
    [
      'a listener that admits routes from its own namespace only (the default)',
      route(['app.example.com']),
      [gateway([HTTPS])],
      [['app.example.com', 'no-listener']]
    ],
    [
      'a port that matches no listener',
      route(['app.example.com'], [{ name: 'public', namespace: 'gateways', port: 8443 }]),
      [gateway([allNamespaces(HTTPS)])],
      [['app.example.com', 'no-listener']]
    ],
    [
      'a route without hostnames on a plain HTTP listener',
      route(undefined),
      [gateway([allNamespaces(HTTP)])],
      [['*', 'no-tls']]
    ]
  ])('names %s', (_case, r, gateways, expected) => {
    expect(httpRouteTlsGaps([r], gateways).map((g) => [g.host, g.problem])).toEqual(expected)
  })

  it('does not count a Passthrough TLS listener, which admits no HTTPRoute', () => {
    const passthrough: GatewayListener = allNamespaces({
      name: 'tls',
      port: 443,
      protocol: 'TLS',
      tls: { mode: 'Passthrough' }
    })
    expect(
      httpRouteTlsGaps([route(['app.example.com'])], [gateway([passthrough, allNamespaces(HTTP)])]).map(
        (g) => g.problem
      )
    ).toEqual(['no-tls'])
  })

  it('takes the listener hostname for a route without hostnames', () => {
    expect(httpRouteTlsGaps([route(undefined)], [gateway([allNamespaces(HTTPS)])])).toEqual([])
  })

  it('defaults the parent namespace to the route namespace and honours namespace selectors', () => {
    const selector: GatewayListener = {
      ...HTTPS,
      allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { exposed: 'true' } } } }
    }
    const local = gateway([{ ...HTTPS }], 'public', 'production')
    expect(httpRouteTlsGaps([route(['app.example.com'], [{ name: 'public' }])], [local])).toEqual([])
    const namespaces: V1Namespace[] = [{ metadata: { name: 'production', labels: { exposed: 'false' } } }]
    expect(
      httpRouteTlsGaps([route(['app.example.com'])], [gateway([selector])], namespaces).map((g) => g.problem)
    ).toEqual(['no-listener'])
    namespaces[0]!.metadata!.labels = { exposed: 'true' }
    expect(httpRouteTlsGaps([route(['app.example.com'])], [gateway([selector])], namespaces)).toEqual([])
  })

  it('skips parentRefs to a Service (mesh routing)', () => {
    const mesh = route(['app.example.com'], [{ group: '', kind: 'Service', name: 'my-app' }])
    expect(httpRouteTlsGaps([mesh], [])).toEqual([
      {
        kind: 'HTTPRoute',
        namespace: 'production',
        name: 'my-app',
        host: 'app.example.com',
        problem: 'no-listener',
        message:
          'httproute/my-app in production: app.example.com: no listener of its parent Gateways admits this hostname'
      }
    ])
  })

  it.each<[string | undefined, string, boolean, boolean]>([
    [undefined, 'app.example.com', true, true],
    ['*.example.com', 'a.b.example.com', true, true],
    ['*.example.com', 'example.com', false, false],
    ['app.example.com', '*.example.com', true, false],
    ['*.example.com', '*.a.example.com', true, true],
    ['*.a.example.com', '*.example.com', true, false]
  ])('listener %s and host %s: intersect %s, cover %s', (listener, host, intersects, covers) => {
    expect(gatewayHostsIntersect(listener, host)).toBe(intersects)
    expect(gatewayHostCovers(listener, host)).toBe(covers)
  })
})
