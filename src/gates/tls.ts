import type { V1Ingress } from '@kubernetes/client-node'
import { z } from 'zod'
import {
  httpRouteTlsGaps,
  ingressTlsCovers,
  ingressTlsGaps,
  type Gateway,
  type HTTPRoute,
  type TlsGap
} from '../environment-checks/tls-coverage.js'
import { table } from '../runtime/markdown.js'
import type { ConnectedCluster } from '../targets/connect-clusters.js'
import { environmentScopes } from '../targets/target-workloads.js'
import { defineEnvironmentCheck } from './environment-check.js'
import type { Evidence } from './gate-definition.js'
import type { GateContext } from './gate-context.js'

export const tlsSettings = z.strictObject({
  'gateway-api': z
    .boolean()
    .default(true)
    .describe(
      'Also check Gateway API HTTPRoutes and the Gateway listeners they attach to (skipped where the cluster does not serve gateway.networking.k8s.io). Needs list on httproutes and gateways.'
    ),
  'allow-hosts': z
    .array(z.string().min(1))
    .default([])
    .describe('Hosts that may be served without TLS: exact names or *.domain (one label).')
})

/**
 * TLS in every environment, not only production (the seed's parity checklist): every host an
 * Ingress or HTTPRoute of the environment's namespaces serves is covered by TLS
 * (tls-coverage.ts). One list of Ingresses and HTTPRoutes per namespace, and of Gateways per
 * namespace the routes attach to.
 */
export const tlsCheck = defineEnvironmentCheck({
  name: 'tls',
  description:
    'Every host the Ingresses and Gateway API HTTPRoutes of the environment\'s namespaces serve is covered by TLS (an Ingress tls entry; an HTTPS listener terminating TLS with certificateRefs), in every environment: the seed\'s "TLS in all environments, not just production". Names the hosts without it. Needs list on ingresses (and httproutes, gateways).',
  settings: tlsSettings,
  validate(_settings, setup) {
    if (!setup.kubernetesConfigured)
      return [
        `cluster credentials to read ${setup.environmentName} (the kubeconfig input, the KUBECONFIG variable, or a runner inside the cluster)`
      ]
    if (!setup.environment.namespace && setup.environment.targets.length === 0)
      return [`a namespace or targets on ${setup.environmentName}`]
    return []
  },
  byDefault: (environment, setup) =>
    setup.kubernetesConfigured && (environment.targets.length > 0 || environment.namespace !== undefined),
  async check(settings, context) {
    const { gaps, served, notes } = await findGaps(settings, context)
    const allowed = (gap: TlsGap) =>
      gap.host !== '*' && settings['allow-hosts'].some((pattern) => ingressTlsCovers(pattern, gap.host))
    const failing = gaps.filter((g) => !allowed(g))
    const env = context.environment.name
    const hosts = [...new Set(failing.map((g) => g.host))]
    const evidence: Evidence[] = [
      ...failing.map((g) => ({
        label: `${g.kind.toLowerCase()}/${g.name} in ${g.namespace}`,
        value: `✗ ${g.message}`
      })),
      ...gaps.filter(allowed).map((g) => ({
        label: `${g.kind.toLowerCase()}/${g.name} in ${g.namespace}`,
        value: `✓ allowed without TLS: ${g.host}`
      })),
      {
        label: 'checked',
        value: `${served} Ingress(es) and HTTPRoute(s)${notes.length ? `; ${notes.join('; ')}` : ''}`
      }
    ]
    return {
      result: {
        status: failing.length > 0 ? 'failed' : 'passed',
        summary:
          failing.length > 0
            ? `${env} serves ${hosts.length} host(s) without TLS: ${hosts.join(', ')}`
            : `every host ${env} serves has TLS (${served} Ingress(es) and HTTPRoute(s))`,
        evidence
      },
      markdown:
        gaps.length === 0
          ? `Every host has TLS (${served} Ingress(es) and HTTPRoute(s)).`
          : table(
              ['Object', 'Namespace', 'Host', 'Problem', 'Allowed'],
              gaps.map((g) => [
                `${g.kind.toLowerCase()}/${g.name}`,
                g.namespace,
                g.host,
                g.problem,
                allowed(g) ? 'yes' : '**no**'
              ])
            ),
      findings: gaps.map((g) => ({ ...g, allowed: allowed(g) }))
    }
  }
})

export const tls = tlsCheck.gate

async function findGaps(
  settings: z.infer<typeof tlsSettings>,
  context: GateContext
): Promise<{ gaps: TlsGap[]; served: number; notes: string[] }> {
  const kubernetes = await context.kubernetes()
  const clusters = await kubernetes.clusters(context.environment)
  const objects = kubernetes.objects
  const scopes = environmentScopes(clusters, context.environment)
  const notes = new Set<string>()
  const results = await Promise.all(
    scopes.map(async ({ cluster, namespace }) => {
      const ingresses = await objects.list<V1Ingress>(cluster.api, 'Ingress', namespace)
      const gaps = ingressTlsGaps(ingresses)
      let routes: HTTPRoute[] = []
      if (settings['gateway-api']) {
        const listed = await objects.listIfServed<HTTPRoute>(cluster.api, 'HTTPRoute', namespace)
        if (listed === undefined) notes.add(`${cluster.name} does not serve HTTPRoutes`)
        routes = listed ?? []
        gaps.push(...httpRouteTlsGaps(routes, await gatewaysFor(routes, cluster, objects)))
      }
      return { gaps, served: ingresses.length + routes.length }
    })
  )
  return {
    gaps: results.flatMap((r) => r.gaps),
    served: results.reduce((sum, r) => sum + r.served, 0),
    notes: [...notes]
  }
}

/** The Gateways the routes may attach to: one list per namespace their parentRefs name. */
async function gatewaysFor(
  routes: HTTPRoute[],
  cluster: ConnectedCluster,
  objects: Awaited<ReturnType<GateContext['kubernetes']>>['objects']
): Promise<Gateway[]> {
  const namespaces = new Set<string>()
  for (const route of routes)
    for (const ref of route.spec?.parentRefs ?? [])
      if ((ref.kind ?? 'Gateway') === 'Gateway')
        namespaces.add(ref.namespace ?? route.metadata?.namespace ?? 'default')
  const lists = await Promise.all(
    [...namespaces].map((ns) => objects.listIfServed<Gateway>(cluster.api, 'Gateway', ns))
  )
  return lists.flatMap((l) => l ?? [])
}
