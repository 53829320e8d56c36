import type { V1DaemonSet, V1Deployment, V1StatefulSet } from '@kubernetes/client-node'

/**
 * The workload kinds the action can promote, with the names the API and RBAC use for them.
 * Everything that needs "which resource/group/path is a Deployment" reads it from here.
 */
export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet'

export type Workload = V1Deployment | V1StatefulSet | V1DaemonSet

/** One workload to promote. */
export interface WorkloadRef {
  kind: WorkloadKind
  name: string
  namespace: string
}

export interface WorkloadKindInfo {
  kind: WorkloadKind
  /** Resource name as RBAC and the URL path spell it. */
  resource: string
  group: string
  version: string
  /** Lower-case forms accepted in `kind/name` (kubectl's names and short names). */
  aliases: string[]
}

export const WORKLOAD_KINDS: Record<WorkloadKind, WorkloadKindInfo> = {
  Deployment: {
    kind: 'Deployment',
    resource: 'deployments',
    group: 'apps',
    version: 'v1',
    aliases: ['deployment', 'deployments', 'deploy']
  },
  StatefulSet: {
    kind: 'StatefulSet',
    resource: 'statefulsets',
    group: 'apps',
    version: 'v1',
    aliases: ['statefulset', 'statefulsets', 'sts']
  },
  DaemonSet: {
    kind: 'DaemonSet',
    resource: 'daemonsets',
    group: 'apps',
    version: 'v1',
    aliases: ['daemonset', 'daemonsets', 'ds']
  }
}

/** `deployment/api`, as kubectl prints it. */
export function describeWorkload(ref: Pick<WorkloadRef, 'kind' | 'name'>): string {
  return `${ref.kind.toLowerCase()}/${ref.name}`
}

/** Resolves a kind as a user may write it (`deploy`, `Deployment`, `statefulsets`); undefined when unknown. */
export function workloadKindFromAlias(alias: string): WorkloadKind | undefined {
  const lower = alias.toLowerCase()
  return Object.values(WORKLOAD_KINDS).find((info) => info.aliases.includes(lower))?.kind
}

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/

/**
 * Parses `kind/name` (kubectl style) into a WorkloadRef in `namespace`.
 * Throws naming the value and the expected form.
 */
export function parseWorkloadRef(value: string, namespace: string): WorkloadRef {
  const expected =
    'expected KIND/NAME with KIND one of deployment, statefulset, daemonset (or deploy, sts, ds), e.g. deployment/api'
  const parts = value.split('/')
  if (parts.length !== 2) throw new Error(`Invalid workload ${JSON.stringify(value)}: ${expected}`)
  const [kindText, name] = parts as [string, string]
  const kind = workloadKindFromAlias(kindText)
  if (kind === undefined)
    throw new Error(
      `Invalid workload ${JSON.stringify(value)}: unknown kind ${JSON.stringify(kindText)}; ${expected}`
    )
  if (!NAME.test(name) || name.length > 253) {
    throw new Error(
      `Invalid workload ${JSON.stringify(value)}: name ${JSON.stringify(name)} is not a valid Kubernetes object name (lower-case letters, digits, "-", ".")`
    )
  }
  return { kind, name, namespace }
}
