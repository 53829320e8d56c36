/**
 * The promotion config file (.github/promotion.yml), as zod schemas. Names carry no
 * `Schema` suffix; the type of each sits beside it. The JSON Schema in
 * schema/promotion-config.schema.json is generated from these (npm run schema).
 *
 * Layering follows the seed's base-defaults-plus-overrides rule: `defaults` and each
 * `environments.<name>` are layers of the same shape, merged per environment (objects
 * merge key by key, lists and scalars replace), and the merged result is validated as a
 * whole so a required value may come from either layer.
 */
import { z } from 'zod'
import { duration } from './duration.js'
import { dnsLabel, dnsSubdomain } from './names.js'
import { gateEntry } from './gate-entry.js'
import { manifestEditSpec } from './manifest-edit-spec.js'

const text = z.string().min(1)

export const workloadKind = z.enum(['Deployment', 'StatefulSet', 'DaemonSet'])
export type WorkloadKind = z.infer<typeof workloadKind>

export const target = z
  .strictObject({
    kind: workloadKind.default('Deployment'),
    name: dnsSubdomain.optional().describe('The workload name. Give name or selector, not both.'),
    selector: text
      .optional()
      .describe(
        'A label selector (app=web,tier in (api,worker)) choosing every workload of this kind it matches.'
      ),
    namespace: dnsLabel.optional().describe("Overrides the environment's namespace for this target."),
    containers: z
      .array(dnsLabel)
      .optional()
      .describe(
        'Containers (and init containers) to set. Default: those whose current image has the same repository as the promoted image.'
      )
  })
  .refine((t) => (t.name === undefined) !== (t.selector === undefined), {
    error: 'exactly one of name or selector'
  })
export type Target = z.infer<typeof target>

export const cluster = z.strictObject({
  name: dnsLabel.describe('A short name used in logs, summaries and the Deployment payload.'),
  wave: z
    .int()
    .min(1)
    .default(1)
    .describe('Clusters promote in ascending waves; clusters within a wave in parallel.'),
  credentials: z
    .enum(['auto', 'input', 'env', 'in-cluster'])
    .default('auto')
    .describe(
      'Where the kubeconfig comes from: the kubeconfig input, the KUBECONFIG variable, the in-cluster service account, or auto (input, then KUBECONFIG, then in-cluster).'
    ),
  context: text.optional().describe('The kubeconfig context to use; default: the current context.'),
  namespace: dnsLabel.optional().describe("Overrides the environment's namespace in this cluster.")
})
export type Cluster = z.infer<typeof cluster>

export const failFast = z.strictObject({
  enabled: z.boolean().default(true),
  'failing-pods': z
    .int()
    .min(1)
    .default(1)
    .describe('How many pods of the new ReplicaSet must show a failure reason before the rollout is failed.'),
  'restart-threshold': z
    .int()
    .min(1)
    .default(3)
    .describe('Restarts of a new pod container that count as a failure even without a waiting reason.'),
  'quota-grace': duration
    .prefault('10s')
    .describe(
      "How long the rollout's pods may stay refused by a ResourceQuota, while none of the workload's pods is terminating, before the rollout fails (terminating pods free quota when they are gone). Refusals by Pod Security or an admission webhook fail at once."
    )
})

export const rollout = z.strictObject({
  timeout: duration.prefault('10m').describe('Overall time allowed for the rollout of every target.'),
  rollback: z.enum(['auto', 'never']).default('auto'),
  'fail-fast': failFast.prefault({}),
  'gitops-managed': z
    .enum(['fail', 'warn'])
    .default('fail')
    .describe(
      'Kubernetes mode, a target that Argo CD (with selfHeal) or Flux manages: fail before any patch (the engine would revert it; use mode: gitops), or warn and patch anyway.'
    )
})

export const lock = z.strictObject({
  enabled: z.boolean().default(true),
  'lease-duration': duration.prefault('30s').describe('A dead runner releases the lock after this long.'),
  timeout: duration.prefault('15m').describe('How long a second promotion waits in line for the lock.'),
  'wait-for-deployments': z
    .boolean()
    .default(true)
    .describe('Also wait while a GitHub Deployment for the environment is queued or in progress.')
})

const statusRange = z.union([
  z.int().min(100).max(599),
  z.string().regex(/^[1-5]xx$/, { error: 'a status class such as 2xx' }),
  z.string().regex(/^[1-5]\d\d-[1-5]\d\d$/, { error: 'a status range such as 200-204' })
])

const headerValue = z.union([
  z.string(),
  z
    .strictObject({ 'from-env': z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/) })
    .describe('Read the value from an environment variable; treated as a secret.')
])

export const httpCheck = z.strictObject({
  name: text.optional(),
  url: z.string().refine((u) => /^https?:\/\/[^\s/]+/i.test(u) && URL.canParse(u), {
    error: 'an http:// or https:// URL'
  }),
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET'),
  headers: z.record(z.string(), headerValue).default({}),
  body: z.string().optional(),
  expect: z
    .strictObject({
      status: z.array(statusRange).min(1).default(['2xx']),
      'body-contains': z.string().optional(),
      'body-matches': z
        .string()
        .refine(
          (source) => {
            try {
              new RegExp(source)
              return true
            } catch {
              return false
            }
          },
          { error: 'a valid regular expression' }
        )
        .optional(),
      json: z
        .array(
          z.strictObject({
            path: text.describe(
              'A dot/bracket path into the JSON body, such as version or build.sha or items[0].name.'
            ),
            equals: z
              .union([z.string(), z.number(), z.boolean(), z.null()])
              .describe(
                'The expected value; ${version}, ${sha}, ${tag} and ${digest} are replaced with the promoted values.'
              )
          })
        )
        .optional()
    })
    .prefault({}),
  timeout: duration.prefault('5s').describe('Per attempt.'),
  tls: z
    .strictObject({
      'ca-file': text
        .optional()
        .describe(
          'A PEM CA bundle (path in the workspace) that replaces the default roots, as curl --cacert does.'
        ),
      'ca-pem': text.optional().describe('The same, inline.')
    })
    .default({})
    .describe('There is no insecure mode: give the CA that signed the endpoint certificate.'),
  redirects: z
    .strictObject({ follow: z.boolean().default(true), max: z.int().min(0).max(20).default(5) })
    .prefault({}),
  'retryable-statuses': z
    .array(z.int().min(400).max(499))
    .default([])
    .describe('4xx statuses to retry instead of failing at once.')
})
export type HttpCheckConfig = z.infer<typeof httpCheck>

export const probePolicy = z.strictObject({
  'consecutive-successes': z.int().min(1).default(3),
  soak: duration.prefault('10s').describe('The passing probes must span this window.'),
  deadline: duration.prefault('5m'),
  'initial-backoff': duration.prefault('250ms'),
  'max-backoff': duration.prefault('1s')
})

export const pdbCheck = z.strictObject({
  name: dnsSubdomain,
  'min-disruptions-allowed': z.int().min(0).default(1)
})

export const health = z.strictObject({
  http: z.array(httpCheck).default([]),
  kubernetes: z
    .strictObject({
      rollout: z.boolean().default(true).describe('Every target fully rolled out on the promoted image.'),
      'no-restarts': z
        .boolean()
        .default(true)
        .describe('No pod of the new revision restarts during the soak window.'),
      'pod-disruption-budgets': z.array(pdbCheck).default([])
    })
    .prefault({}),
  policy: probePolicy.prefault({}),
  'on-failure': z.enum(['rollback', 'report']).default('report')
})

export const argoCdSync = z.strictObject({
  application: dnsSubdomain.describe('The Argo CD Application that deploys this environment.'),
  namespace: dnsLabel.default('argocd').describe('Where the Application lives (the Argo CD namespace).'),
  cluster: dnsLabel
    .optional()
    .describe("The environment's cluster that holds the Application; default: the first cluster.")
})

export const fluxSync = z.strictObject({
  kind: z.enum(['Kustomization', 'HelmRelease']).default('Kustomization'),
  name: dnsSubdomain.describe('The Flux Kustomization or HelmRelease that applies this environment.'),
  namespace: dnsLabel.default('flux-system'),
  cluster: dnsLabel
    .optional()
    .describe("The environment's cluster that holds the object; default: the first cluster.")
})

/** Waiting for the GitOps engine once the change is on the base branch. Exactly one of argocd, flux. */
export const gitOpsSync = z.strictObject({
  argocd: argoCdSync.optional(),
  flux: fluxSync.optional(),
  timeout: duration
    .prefault('10m')
    .describe('How long the engine may take to sync and report healthy (and the targets to roll out).'),
  'wait-for-sync': z
    .boolean()
    .default(true)
    .describe(
      'Wait in the promote stage once the change is on the base branch; false leaves the wait to the verify stage.'
    )
})
export type GitOpsSyncConfig = z.infer<typeof gitOpsSync>

export const gitops = z.strictObject({
  repository: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, { error: 'owner/repo' })
    .optional()
    .describe('The manifests repository; default: this repository.'),
  files: z
    .array(manifestEditSpec)
    .min(1)
    .optional()
    .describe(
      'The files this environment promotes by (one per region or cluster, kustomizations or Helm values), all changed in one commit. Or path and image-name for one kustomization.'
    ),
  path: text
    .optional()
    .describe(
      'Shorthand for one kustomization: the kustomization.yaml to edit, e.g. environments/production/kustomization.yaml (with image-name; not with files).'
    ),
  'image-name': text.optional().describe('Shorthand: the `images[].name` entry of path to update.'),
  'create-missing': z
    .boolean()
    .optional()
    .describe('Shorthand: add the images[] entry to path when it has none, instead of failing.'),
  'base-branch': text.default('main'),
  'branch-prefix': text.default('promote/'),
  push: z
    .enum(['pull-request', 'direct'])
    .default('pull-request')
    .describe(
      'pull-request: commit to a promotion branch and open a pull request into base-branch. direct: commit straight to base-branch (for teams without review).'
    ),
  merge: z
    .enum(['manual', 'auto'])
    .default('manual')
    .describe(
      'manual: the promotion ends with the pull request open and its Deployment queued. auto: enable GitHub auto-merge (or merge once the required checks pass) and wait for the merge.'
    ),
  'merge-method': z
    .enum(['merge', 'squash', 'rebase'])
    .default('merge')
    .describe('How merge: auto merges the pull request; the repository must allow it.'),
  'merge-timeout': duration
    .prefault('30m')
    .describe('merge: auto waits this long for the pull request to be merged.'),
  sync: gitOpsSync
    .optional()
    .describe(
      'Argo CD or Flux: wait until it synced the change and reports healthy, then the targets rolled out.'
    )
})
export type GitOpsConfig = z.infer<typeof gitops>

export const gatePolicy = z.strictObject({
  mode: z
    .enum(['enforce', 'report'])
    .optional()
    .describe('Default: report for pull_request events, enforce otherwise.'),
  pending: z.enum(['fail', 'wait']).default('fail'),
  timeout: duration.prefault('10m')
})

/** One layer: `defaults`, or one environment's overrides. Every key optional here. */
export const layer = z.strictObject({
  mode: z.enum(['kubernetes', 'gitops']).optional(),
  production: z.boolean().optional().describe('Marks the GitHub Deployment as production_environment.'),
  url: z
    .string()
    .refine((u) => /^https?:\/\//i.test(u) && URL.canParse(u), { error: 'an http:// or https:// URL' })
    .optional()
    .describe('The environment_url recorded on the GitHub Deployment.'),
  namespace: dnsLabel.optional(),
  clusters: z.array(cluster).min(1).optional(),
  targets: z.array(target).min(1).optional(),
  image: z
    .strictObject({
      repository: text.optional().describe('The image repository, e.g. ghcr.io/org/app.'),
      tag: text
        .optional()
        .describe(
          'The tag to promote when no image input is given; ${sha} and ${short-sha} are replaced. Default: ${sha}.'
        )
    })
    .optional(),
  gates: z.array(gateEntry).optional(),
  'gate-policy': gatePolicy.partial().optional(),
  rollout: rollout.partial().optional(),
  lock: lock.partial().optional(),
  health: health.partial().optional(),
  gitops: gitops.partial().optional()
})

export const environmentEntry = layer.extend({
  from: z.string().optional().describe('The environment this one promotes from.')
})

export const promotionConfig = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1).default(1),
  defaults: layer.optional(),
  environments: z
    .record(z.string(), environmentEntry)
    .refine((envs) => Object.keys(envs).length > 0, { error: 'at least one environment' })
})
export type PromotionConfigFile = z.infer<typeof promotionConfig>

/** One environment after layering: every default applied, every required value present. */
export const resolvedEnvironment = z
  .strictObject({
    name: z.string(),
    from: z.string().optional(),
    mode: z.enum(['kubernetes', 'gitops']).default('kubernetes'),
    production: z.boolean().optional(),
    url: z.string().optional(),
    namespace: dnsLabel.optional(),
    clusters: z
      .array(cluster)
      .min(1)
      .default([{ name: 'default', wave: 1, credentials: 'auto' }]),
    targets: z.array(target).default([]),
    image: z.strictObject({ repository: text.optional(), tag: text.default('${sha}') }).prefault({}),
    gates: z.array(gateEntry).default([]),
    'gate-policy': gatePolicy.prefault({}),
    rollout: rollout.prefault({}),
    lock: lock.prefault({}),
    health: health.prefault({}),
    gitops: gitops.optional()
  })
  .superRefine((env, ctx) => {
    if (env.mode === 'kubernetes') {
      if (env.targets.length === 0)
        ctx.addIssue({
          code: 'custom',
          path: ['targets'],
          message: 'at least one target in kubernetes mode',
          input: undefined
        })
      const everyTargetHasNamespace = env.targets.every((t) => t.namespace) && env.clusters.every(() => true)
      if (!env.namespace && !everyTargetHasNamespace)
        ctx.addIssue({
          code: 'custom',
          path: ['namespace'],
          message: 'a namespace (or one on every target)',
          input: undefined
        })
    }
    if (env.mode === 'gitops' && !env.gitops)
      ctx.addIssue({
        code: 'custom',
        path: ['gitops'],
        message: 'a gitops section (files, or path and image-name) in gitops mode',
        input: undefined
      })
    if (env.gitops) checkGitOpsFiles(env.gitops, ctx)
    const sync = env.gitops?.sync
    if (sync) {
      if ((sync.argocd === undefined) === (sync.flux === undefined))
        ctx.addIssue({
          code: 'custom',
          path: ['gitops', 'sync'],
          message: 'exactly one of argocd or flux',
          input: undefined
        })
      const engine = sync.argocd ? 'argocd' : 'flux'
      const cluster = sync.argocd?.cluster ?? sync.flux?.cluster
      if (cluster !== undefined && !env.clusters.some((c) => c.name === cluster))
        ctx.addIssue({
          code: 'custom',
          path: ['gitops', 'sync', engine, 'cluster'],
          message: `one of the environment's clusters (${env.clusters.map((c) => c.name).join(', ')})`,
          input: cluster
        })
    }
    const names = new Set<string>()
    for (const [i, c] of env.clusters.entries()) {
      if (names.has(c.name))
        ctx.addIssue({
          code: 'custom',
          path: ['clusters', i, 'name'],
          message: 'a cluster name not used twice',
          input: c.name
        })
      names.add(c.name)
    }
  })
export type ResolvedEnvironment = z.infer<typeof resolvedEnvironment>

/** `files`, or the one-kustomization shorthand `path` + `image-name`: one of the two, whole. */
function checkGitOpsFiles(config: GitOpsConfig, ctx: z.RefinementCtx): void {
  const shorthand = (['path', 'image-name', 'create-missing'] as const).filter(
    (key) => config[key] !== undefined
  )
  const issue = (path: string, message: string, input: unknown) =>
    ctx.addIssue({ code: 'custom', path: ['gitops', path], message, input })
  if (config.files) {
    for (const key of shorthand)
      issue(key, 'not beside files (give the file in files, or use path and image-name alone)', config[key])
    const seen = new Set<string>()
    for (const [i, file] of config.files.entries()) {
      if (seen.has(file.path))
        ctx.addIssue({
          code: 'custom',
          path: ['gitops', 'files', i, 'path'],
          message: 'a file not listed twice',
          input: file.path
        })
      seen.add(file.path)
    }
    return
  }
  if (config.path === undefined)
    issue('path', 'files, or path (the kustomization.yaml) with image-name', undefined)
  if (config['image-name'] === undefined)
    issue('image-name', 'the images[].name to update in path (or give files instead)', undefined)
}
