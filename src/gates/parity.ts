import type { V1Ingress, V1Namespace, V1Pod } from '@kubernetes/client-node'
import { z } from 'zod'
import { manifestKind } from '../config/manifest-edit-spec.js'
import type { GitOpsConfig, ResolvedEnvironment } from '../config/schema.js'
import { parityMarkdown } from '../environment-checks/parity-report.js'
import {
  allowListProblems,
  compareIngressClasses,
  compareWorkloadParity,
  DEFAULT_PARITY_ALLOW,
  PARITY_DIMENSIONS,
  type ParityRow
} from '../environment-checks/parity.js'
import type { ConfigKeyIndex } from '../environment-checks/config-references.js'
import { Permission } from '../github/permission-errors.js'
import { gitHubManifestRepository } from '../gitops/delivery/manifest-repository.js'
import type { ImageReference } from '../image/image-reference.js'
import { selectContainers } from '../kubernetes/kinds/container-selection.js'
import type { Workload } from '../kubernetes/api/workload-types.js'
import type { ConnectedCluster } from '../targets/connect-clusters.js'
import { environmentScopes, type TargetWorkload } from '../targets/target-workloads.js'
import { defineEnvironmentCheck, type CheckContext } from './environment-check.js'
import type { Evidence } from './gate-definition.js'
import {
  hasLiveTargets,
  isForbidden,
  namespaceKeys,
  readLiveEnvironment,
  type LiveEnvironment
} from './live-environment.js'
import { digestOf } from './upstream-running.js'

export const paritySettings = z.strictObject({
  allow: z
    .array(z.string().min(1))
    .default([...DEFAULT_PARITY_ALLOW])
    .superRefine((entries, ctx) => {
      entries.forEach((entry, index) => {
        for (const problem of allowListProblems([entry], 'allow'))
          ctx.addIssue({ code: 'custom', path: [index], message: problem.expected, input: entry })
      })
    })
    .describe(
      `Differences that are expected, as DIMENSION[:KEY][@SCOPE] (KEY and SCOPE may use * and ?): "env:LOG_LEVEL" allows that variable to differ in every container, "env:LOG_LEVEL@api" only in container api, "resources" every requests/limits difference. Dimensions: ${PARITY_DIMENSIONS.join(', ')}. Default: replicas, resources, env:LOG_LEVEL (the seed's "What Should Differ": replica count, resource limits, log level; external service URLs differ in values, which are never compared). A list replaces the default.`
    ),
  'secret-keys': z
    .boolean()
    .default(false)
    .describe(
      'Also compare the keys of Secrets that volumes mount whole (without items). Needs get and list on secrets in both namespaces (see the README: the opt-in Secret Role).'
    ),
  'ingress-class': z
    .boolean()
    .default(true)
    .describe("Compare the ingress classes of the environments' Ingresses (needs list on ingresses)."),
  overlays: z
    .boolean()
    .default(true)
    .describe(
      'When both environments have a gitops section, also compare their kustomizations in the manifests repository (read through the GitHub contents API at base-branch): the same resources (bases) and the same images[].name entries.'
    )
})

type ParitySettings = z.infer<typeof paritySettings>

/** A target workload without a counterpart, or an overlay that cannot be read. */
interface ParityProblem {
  subject: string
  message: string
}

/**
 * Environment parity, upstream against target, per target workload (parity.ts says what is
 * compared and how the allow-list reads). In a gate, the containers being promoted are
 * compared with the image about to be promoted (by digest where the upstream's pods show it),
 * so the gate fails when upstream tested another build; in the drift report they are left
 * out, since an environment runs its last release until the next promotion.
 */
export const parityCheck = defineEnvironmentCheck({
  name: 'parity',
  description:
    'The target environment matches its upstream (from:) where they should not differ, per target workload through the Kubernetes API: the image about to be promoted against what upstream runs (by digest), container names, env var names and their sources (never values), envFrom sources, ports, probes, volumes and mounted ConfigMap/Secret keys, service mesh injection and ingress classes; for GitOps environments also the kustomizations (same bases and image entries). Differences the allow-list names are reported, not failed. Reads with one list per kind and namespace (deployments, pods, configmaps, ingresses; secrets with secret-keys) and one get per namespace (mesh labels; skipped with a warning when forbidden).',
  settings: paritySettings,
  validate(settings, setup) {
    if (!setup.upstream)
      return [`a from: on ${setup.environmentName} naming the environment it is compared with`]
    const live = hasLiveTargets(setup.environment) && hasLiveTargets(setup.upstream)
    const overlays = settings.overlays && !!setup.environment.gitops && !!setup.upstream.gitops
    if (!live && !overlays)
      return [
        `targets on both ${setup.environmentName} and ${setup.upstream.name} (live comparison), or a gitops section on both (overlay comparison)`
      ]
    if (live && !overlays && !setup.kubernetesConfigured)
      return [
        `cluster credentials to read ${setup.environmentName} and ${setup.upstream.name} (the kubeconfig input, the KUBECONFIG variable, or a runner inside the cluster)`
      ]
    return []
  },
  byDefault: (_environment, setup) => setup.upstream !== undefined,
  async check(settings, context) {
    const upstream = context.upstream!
    const target = context.environment
    const rows: ParityRow[] = []
    const problems: ParityProblem[] = []
    const warnings: string[] = []
    const checked: string[] = []

    const live = hasLiveTargets(target) && hasLiveTargets(upstream) && context.kubernetesConfigured
    if (live) {
      const found = await compareLive(settings, context, upstream, target, warnings)
      rows.push(...found.rows)
      problems.push(...found.problems)
      checked.push(`${found.pairs} workload(s)`)
    }
    if (settings.overlays && target.gitops && upstream.gitops) {
      const found = await compareOverlays(settings, context, upstream, target)
      rows.push(...found.rows)
      problems.push(...found.problems)
      checked.push('the kustomize overlays')
    }

    const disallowed = rows.filter((r) => !r.allowed)
    const allowed = rows.length - disallowed.length
    const evidence: Evidence[] = [
      ...problems.map((p) => ({ label: p.subject, value: `✗ ${p.message}` })),
      ...[...disallowed, ...rows.filter((r) => r.allowed)].map((r) =>
        rowEvidence(r, upstream.name, target.name)
      )
    ]
    const pair = `${target.name} and ${upstream.name}`
    const failed = disallowed.length > 0 || problems.length > 0
    const summary = failed
      ? `${pair} differ where they should not: ${[
          ...problems.map((p) => p.message),
          ...disallowed.slice(0, 5).map((r) => describeRow(r, upstream.name, target.name))
        ].join('; ')}${disallowed.length > 5 ? `; and ${disallowed.length - 5} more` : ''}`
      : `${pair} match in ${checked.join(' and ') || 'nothing checked'}${allowed ? ` (${allowed} allowed difference${allowed === 1 ? '' : 's'})` : ''}`
    const table = parityMarkdown(rows, { upstream: upstream.name, target: target.name })
    return {
      result: {
        status: failed ? 'failed' : 'passed',
        summary,
        evidence,
        ...(warnings.length ? { warnings } : {})
      },
      markdown: [
        ...problems.map((p) => `- ❌ ${p.subject}: ${p.message}`),
        ...(problems.length ? [''] : []),
        table
      ].join('\n'),
      findings: [...problems.map((p) => ({ problem: 'unpaired', ...p })), ...rows]
    }
  }
})

export const parity = parityCheck.gate

async function compareLive(
  settings: ParitySettings,
  context: CheckContext,
  upstreamEnv: ResolvedEnvironment,
  targetEnv: ResolvedEnvironment,
  warnings: string[]
): Promise<{ rows: ParityRow[]; problems: ParityProblem[]; pairs: number }> {
  const [up, down] = await Promise.all([
    readLiveEnvironment(context, upstreamEnv),
    readLiveEnvironment(context, targetEnv)
  ])
  const problems: ParityProblem[] = [
    ...down.unresolved.map((u) => ({ subject: `${targetEnv.name} target`, message: u.message })),
    ...up.unresolved.map((u) => ({ subject: `${upstreamEnv.name} target`, message: u.message }))
  ]
  const sides = await Promise.all([sideFacts(up, settings, warnings), sideFacts(down, settings, warnings)])
  const [upFacts, downFacts] = sides
  // A digest known on one side only is known on both: otherwise an unknown digest alone
  // would read as a difference.
  const upDigests = { ...downFacts.digests, ...upFacts.digests }
  const downDigests = { ...upFacts.digests, ...downFacts.digests }

  const upstreamByName = new Map<string, TargetWorkload>()
  for (const w of up.workloads) {
    const key = `${w.ref.kind}/${w.ref.name}`
    if (!upstreamByName.has(key)) upstreamByName.set(key, w)
  }
  const rows: ParityRow[] = []
  let pairs = 0
  const manyClusters = down.clusters.length > 1
  for (const w of down.workloads) {
    const counterpart = upstreamByName.get(`${w.ref.kind}/${w.ref.name}`)
    const label = `${manyClusters ? `${w.cluster.name}/` : ''}${w.ref.kind.toLowerCase()}/${w.ref.name}`
    if (!counterpart) {
      problems.push({
        subject: label,
        message: `${label} runs in ${targetEnv.name} (${w.cluster.name}/${w.ref.namespace}) but ${upstreamEnv.name} has no ${w.ref.kind} ${w.ref.name} among its targets`
      })
      continue
    }
    pairs++
    const workload = withComparedImages(
      w,
      counterpart,
      context,
      targetEnv,
      upstreamEnv,
      downDigests,
      warnings
    )
    const found = compareWorkloadParity(
      {
        kind: counterpart.ref.kind,
        workload: counterpart.workload,
        context: {
          imageDigests: upDigests,
          ...namespaceContext(upFacts, counterpart)
        }
      },
      {
        kind: w.ref.kind,
        workload,
        context: { imageDigests: downDigests, ...namespaceContext(downFacts, w) }
      },
      { allow: settings.allow }
    )
    rows.push(...found.map((r) => (manyClusters ? { ...r, workload: `${w.cluster.name}/${r.workload}` } : r)))
  }
  if (settings['ingress-class'])
    rows.push(...compareIngressClasses(upFacts.ingresses, downFacts.ingresses, { allow: settings.allow }))
  return { rows, problems, pairs }
}

interface SideFacts {
  /** Image reference as a template writes it -> the digest its pods run. */
  digests: Record<string, string>
  keys: Map<string, ConfigKeyIndex>
  namespaces: Map<string, V1Namespace | undefined>
  ingresses: V1Ingress[]
}

/** What one environment's namespaces say beyond the workloads: one list per kind and namespace. */
async function sideFacts(
  live: LiveEnvironment,
  settings: ParitySettings,
  warnings: string[]
): Promise<SideFacts> {
  const facts: SideFacts = { digests: {}, keys: new Map(), namespaces: new Map(), ingresses: [] }
  const scopes = environmentScopes(live.clusters, live.environment)
  await Promise.all(
    scopes.map(async ({ cluster, namespace }) => {
      const scope = scopeKey(cluster, namespace)
      const [pods, keys, ns, ingresses] = await Promise.all([
        live.objects.list<V1Pod>(cluster.api, 'Pod', namespace),
        namespaceKeys(live.objects, cluster, namespace, settings['secret-keys']),
        readNamespace(live, cluster, namespace, warnings),
        settings['ingress-class']
          ? live.objects.list<V1Ingress>(cluster.api, 'Ingress', namespace)
          : Promise.resolve([])
      ])
      Object.assign(facts.digests, podDigests(pods))
      facts.keys.set(scope, keys)
      facts.namespaces.set(scope, ns)
      facts.ingresses.push(...ingresses)
    })
  )
  return facts
}

async function readNamespace(
  live: LiveEnvironment,
  cluster: ConnectedCluster,
  namespace: string,
  warnings: string[]
): Promise<V1Namespace | undefined> {
  try {
    return await live.objects.get<V1Namespace>(cluster.api, 'Namespace', undefined, namespace)
  } catch (error) {
    if (!isForbidden(error)) throw error
    const warning = `could not read namespace ${namespace} in ${cluster.name} (get on namespaces is forbidden): service mesh injection is judged from the pod templates alone`
    if (!warnings.includes(warning)) warnings.push(warning)
    return undefined
  }
}

function namespaceContext(
  facts: SideFacts,
  w: TargetWorkload
): { namespace?: V1Namespace; keys?: ConfigKeyIndex } {
  const scope = scopeKey(w.cluster, w.ref.namespace)
  const namespace = facts.namespaces.get(scope)
  const keys = facts.keys.get(scope)
  return { ...(namespace ? { namespace } : {}), ...(keys ? { keys } : {}) }
}

function scopeKey(cluster: ConnectedCluster, namespace: string): string {
  return `${cluster.name}\u0000${namespace}`
}

/** Spec image -> digest, from the pods' container statuses (imageID). */
function podDigests(pods: V1Pod[]): Record<string, string> {
  const digests: Record<string, string> = {}
  for (const pod of pods) {
    const specs = new Map(
      [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => [
        c.name,
        c.image ?? ''
      ])
    )
    for (const status of [
      ...(pod.status?.initContainerStatuses ?? []),
      ...(pod.status?.containerStatuses ?? [])
    ]) {
      const image = specs.get(status.name)
      const digest = digestOf(status.imageID)
      if (image && digest && digests[image] === undefined) digests[image] = digest
    }
  }
  return digests
}

/**
 * The target workload as parity compares it. Gate: its promoted containers carry the image
 * about to be promoted. Drift report: they carry what upstream runs (their image is not drift).
 */
function withComparedImages(
  w: TargetWorkload,
  counterpart: TargetWorkload,
  context: CheckContext,
  targetEnv: ResolvedEnvironment,
  upstreamEnv: ResolvedEnvironment,
  digests: Record<string, string>,
  warnings: string[]
): Workload {
  const promoted: ImageReference | undefined = context.purpose === 'gate' ? context.image : undefined
  const repository = promoted ?? targetEnv.image.repository ?? upstreamEnv.image.repository
  const selection = selectContainers(w.workload.spec?.template?.spec, {
    names: w.target.containers,
    repository
  })
  if (selection.selected.length === 0) return w.workload
  const workload = structuredClone(w.workload)
  const spec = workload.spec?.template?.spec
  const upstreamImages = new Map(
    [
      ...(counterpart.workload.spec?.template?.spec?.initContainers ?? []),
      ...(counterpart.workload.spec?.template?.spec?.containers ?? [])
    ].map((c) => [c.name, c.image])
  )
  const names = new Set(selection.selected.map((s) => s.container.name))
  for (const container of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
    if (!names.has(container.name)) continue
    const upstreamImage = upstreamImages.get(container.name)
    let image = promoted ? promoted.format() : upstreamImage
    if (promoted && upstreamImage && unknowable(promoted, upstreamImage, digests)) {
      // Upstream is pinned by digest and the tag being promoted resolves to no digest any
      // pod shows: whether they are one build is the registry's to say, not the cluster's.
      warnings.push(
        `${describe(w)} container ${container.name}: ${upstreamEnv.name} runs ${upstreamImage}, and no pod shows which digest ${promoted.format()} is; parity cannot compare them by digest (the upstream-running gate can, from the pods)`
      )
      image = upstreamImage
    }
    if (image) container.image = image
  }
  return workload
}

/** A promoted tag no pod resolves, against an upstream pinned by digest. */
function unknowable(
  promoted: ImageReference,
  upstreamImage: string,
  digests: Record<string, string>
): boolean {
  if (promoted.digest !== undefined || digests[promoted.format()] !== undefined) return false
  return /@sha\d+:[0-9a-f]+$/.test(upstreamImage)
}

function describe(w: TargetWorkload): string {
  return `${w.ref.kind.toLowerCase()}/${w.ref.name}`
}

async function compareOverlays(
  settings: ParitySettings,
  context: CheckContext,
  upstreamEnv: ResolvedEnvironment,
  targetEnv: ResolvedEnvironment
): Promise<{ rows: ParityRow[]; problems: ParityProblem[] }> {
  const read = async (env: ResolvedEnvironment) => {
    const gitops = env.gitops!
    const fullName = gitops.repository ?? `${context.github.owner}/${context.github.repo}`
    const repository = gitHubManifestRepository(context.github.octokit, fullName, Permission.contentsRead)
    const branch = gitops['base-branch']
    const files = await Promise.all(
      kustomizationPaths(gitops).map(async (path) => ({
        path,
        file: await repository.readFile(path, branch)
      }))
    )
    return { env, fullName, branch, files }
  }
  const [up, down] = await Promise.all([read(upstreamEnv), read(targetEnv)])
  const problems: ParityProblem[] = []
  for (const side of [up, down])
    for (const { path, file } of side.files)
      if (!file)
        problems.push({
          subject: path,
          message: `${side.env.name}'s kustomization ${path} does not exist on ${side.branch} of ${side.fullName}`
        })
  if (up.files.length !== down.files.length)
    problems.push({
      subject: 'gitops.files',
      message: `${upstreamEnv.name} promotes by ${up.files.length} kustomization(s) and ${targetEnv.name} by ${down.files.length}; they are compared in order, as far as both go`
    })
  // Loaded here: the YAML parser stays out of every bundle that only loads the gate registry.
  const { compareKustomizeOverlays } = await import('../environment-checks/kustomize-overlays.js')
  const rows: ParityRow[] = []
  // One kustomization per region or cluster, in the same order in both environments.
  for (let i = 0; i < Math.min(up.files.length, down.files.length); i++) {
    const a = up.files[i]!
    const b = down.files[i]!
    if (!a.file || !b.file) continue
    rows.push(
      ...compareKustomizeOverlays(
        { path: a.path, text: a.file.text },
        { path: b.path, text: b.file.text },
        { allow: settings.allow }
      )
    )
  }
  return { rows, problems }
}

/** The kustomizations a GitOps environment promotes by (Helm values files have no bases to compare). */
function kustomizationPaths(gitops: GitOpsConfig): string[] {
  if (gitops.files)
    return gitops.files.filter((spec) => manifestKind(spec) === 'kustomization').map((spec) => spec.path)
  return gitops.path ? [gitops.path] : []
}

function where(row: ParityRow): string {
  return [row.scope, row.key].filter((part) => part !== undefined).join(' / ')
}

function rowEvidence(row: ParityRow, upstream: string, target: string): Evidence {
  const at = where(row)
  return {
    label: `${row.workload} ${row.dimension}${at ? ` ${at}` : ''}`,
    value: `${row.allowed ? '✓ allowed' : '✗'}: ${upstream} ${row.upstream}, ${target} ${row.target}`
  }
}

function describeRow(row: ParityRow, upstream: string, target: string): string {
  const at = where(row)
  return `${row.workload} ${row.dimension}${at ? ` ${at}` : ''} (${upstream} ${row.upstream}, ${target} ${row.target})`
}
