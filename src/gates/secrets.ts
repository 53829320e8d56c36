import { z } from 'zod'
import { duration } from '../config/duration.js'
import { configReferences } from '../environment-checks/config-references.js'
import {
  assessExternalSecrets,
  type ExternalSecret,
  type ExternalSecretVerdict
} from '../environment-checks/external-secrets.js'
import type { SecretFinding } from '../environment-checks/secret-scan.js'
import {
  LOCK_PURPOSE_ANNOTATION,
  LOCK_REASON_ANNOTATION,
  RUN_URL_ANNOTATION
} from '../kubernetes/api/annotations.js'
import { table } from '../runtime/markdown.js'
import { environmentLockScopes, holderRunLink, lockName } from '../targets/lock-identity.js'
import { defineEnvironmentCheck, type CheckContext } from './environment-check.js'
import type { Evidence, GateStatus } from './gate-definition.js'
import { hasLiveTargets, readLiveEnvironment, type LiveEnvironment } from './live-environment.js'

const ROTATION = 'rotation'

const allowEntry = z
  .strictObject({
    path: z.string().min(1).optional().describe('A glob over the file path (** crosses folders).'),
    rule: z.string().min(1).optional().describe('A rule name, e.g. secret-assignment or jwt.'),
    fingerprint: z
      .string()
      .min(1)
      .optional()
      .describe('file:rule:line, as the report prints it: one finding exactly.')
  })
  .refine((e) => e.path !== undefined || e.rule !== undefined || e.fingerprint !== undefined, {
    error: 'at least one of path, rule or fingerprint'
  })

export const secretsSettings = z.strictObject({
  paths: z
    .array(z.string().min(1))
    .default([])
    .describe(
      "The environment's manifests and config files to scan for plaintext secrets, in the workspace: files, folders or globs (k8s/overlays/production/**, config/production.yaml). Check out the repository first."
    ),
  allow: z
    .array(allowEntry)
    .default([])
    .describe('Findings that are not secrets: by path glob, by rule, both, or by fingerprint.'),
  'entropy-threshold': z
    .number()
    .min(0)
    .max(8)
    .default(3.0) // secret-scan.ts's DEFAULT_ENTROPY_THRESHOLD
    .describe('Bits per character a value under a secret-like key must reach to count as a secret.'),
  'min-length': z
    .int()
    .min(1)
    .default(8) // secret-scan.ts's DEFAULT_MIN_SECRET_LENGTH
    .describe('Shortest value under a secret-like key that is judged.'),
  'external-secrets': z
    .strictObject({
      enabled: z.boolean().default(true),
      names: z
        .array(z.string().min(1))
        .default([])
        .describe(
          'ExternalSecrets that must exist in the target namespaces, beyond those the workloads use.'
        ),
      grace: duration
        .prefault('60s')
        .describe('How far past its refresh interval an ExternalSecret may be before it counts as stale.')
    })
    .prefault({})
    .describe(
      '{ enabled (true), names ([]), grace (60s) }: the ExternalSecrets (external-secrets.io) that write the Secrets the target workloads reference, and those in names, exist, report Ready (SecretSynced) and synced within their refresh interval plus grace. Needs list on externalsecrets.external-secrets.io.'
    ),
  'rotation-guard': z
    .strictObject({
      enabled: z.boolean().default(true),
      cooldown: duration
        .prefault('0s')
        .describe(
          'Refuse for this long after one of those ExternalSecrets refreshed (status.refreshTime). ESO sets refreshTime on every successful sync, changed or not, so keep it below the refresh interval. Default 0s: off.'
        )
    })
    .prefault({})
    .describe(
      "{ enabled (true), cooldown (0s) }: refuse (pending) while a secret rotation holds the environment's lock (its Lease, taken by the lock entrypoint, says purpose: rotation), and for cooldown after one of the workloads' ExternalSecrets refreshed (ESO sets status.refreshTime on every sync, changed or not: keep cooldown below the refresh interval; 0s turns it off). The seed: never rotate secrets and deploy at the same time."
    )
})

type SecretsSettings = z.infer<typeof secretsSettings>

interface SecretsProblem {
  kind: 'plaintext' | 'external-secret' | 'rotation' | 'cooldown'
  subject: string
  message: string
}

/**
 * No plaintext secret in the environment's files, its ExternalSecrets synced, and no secret
 * rotation under way. A finding names file, line, rule and key, never the value: nothing of a
 * value is kept (secret-scan.ts), so no log line, summary or output can carry one.
 */
export const secretsCheck = defineEnvironmentCheck({
  name: 'secrets',
  description:
    "No plaintext secrets in the environment's manifests and config files (a committed Secret with data or stringData, well-known token formats, high-entropy values under secret-like keys), reported by file and line without the value; the ExternalSecrets behind the Secrets the target workloads use exist, are Ready and synced within their refresh interval; and no secret rotation holds the environment lock (pending, so gate-policy.pending: wait waits for it), nor did an ExternalSecret refresh within the cool-down.",
  settings: secretsSettings,
  validate(settings, setup) {
    const live =
      hasLiveTargets(setup.environment) &&
      (settings['external-secrets'].enabled || settings['rotation-guard'].enabled)
    if (settings.paths.length === 0 && !live)
      return [
        `with.paths (files to scan), or targets on ${setup.environmentName} (ExternalSecrets, rotation lock)`
      ]
    return []
  },
  byDefault: (environment, setup) => hasLiveTargets(environment) && setup.kubernetesConfigured,
  async check(settings, context) {
    const problems: SecretsProblem[] = []
    const notes: string[] = []
    const warnings: string[] = []
    const evidence: Evidence[] = []
    const markdown: string[] = []

    let scanned: SecretFinding[] = []
    if (settings.paths.length > 0) {
      // Loaded here: the YAML parser stays out of every bundle that only loads the gate registry.
      const [{ scanForSecrets, secretFindingMessage, secretFindingsMarkdown }, { readWorkspaceFiles }] =
        await Promise.all([import('../environment-checks/secret-scan.js'), import('./workspace-files.js')])
      const workspace = readWorkspaceFiles(settings.paths, context.resolvePath('.'))
      scanned = scanForSecrets(workspace.files, {
        allow: settings.allow,
        entropyThreshold: settings['entropy-threshold'],
        minLength: settings['min-length']
      })
      for (const finding of scanned)
        problems.push({
          kind: 'plaintext',
          subject: `${finding.file}:${finding.line}`,
          message: secretFindingMessage(finding)
        })
      for (const entry of workspace.unmatched)
        warnings.push(`secrets: paths entry ${entry} names no file in the workspace`)
      notes.push(`${workspace.files.length} file(s) scanned`)
      markdown.push(secretFindingsMarkdown(scanned))
    }

    const live = hasLiveTargets(context.environment) && context.kubernetesConfigured
    const wantsLive = settings['external-secrets'].enabled || settings['rotation-guard'].enabled
    if (wantsLive && hasLiveTargets(context.environment) && !context.kubernetesConfigured)
      notes.push('ExternalSecrets and the rotation lock not checked: no cluster credentials')
    let verdicts: ExternalSecretVerdict[] = []
    if (live && wantsLive) {
      const environment = await readLiveEnvironment(context, context.environment)
      if (settings['external-secrets'].enabled || settings['rotation-guard'].cooldown > 0) {
        const found = await externalSecrets(environment, settings, context, problems, notes)
        verdicts = found
        if (found.length > 0)
          markdown.push(
            table(
              ['ExternalSecret', 'Secret', 'Ready', 'Last sync', 'Problems'],
              found.map((v) => [
                `${v.namespace}/${v.name}`,
                v.target,
                v.ready ? 'yes' : 'no',
                v.refreshTime ?? 'never',
                v.problems.map((p) => p.problem).join(', ')
              ])
            )
          )
      }
      if (settings['rotation-guard'].enabled && context.purpose === 'gate')
        await rotationLock(environment, context, problems, evidence, notes)
    }

    evidence.unshift(
      ...problems
        .filter((p) => p.kind !== 'rotation')
        .map((p) => ({ label: p.subject, value: `${p.kind === 'cooldown' ? '⏳' : '✗'} ${p.message}` }))
    )
    for (const v of verdicts.filter((v) => v.problems.length === 0))
      evidence.push({
        label: `externalsecret ${v.namespace}/${v.name}`,
        value: `✓ Ready, synced ${v.refreshTime}`
      })
    const failing = problems.filter((p) => p.kind === 'plaintext' || p.kind === 'external-secret')
    const waiting = problems.filter((p) => p.kind === 'rotation' || p.kind === 'cooldown')
    const status: GateStatus = failing.length > 0 ? 'failed' : waiting.length > 0 ? 'pending' : 'passed'
    const env = context.environment.name
    const plaintext = problems.filter((p) => p.kind === 'plaintext').length
    const summary =
      status === 'failed'
        ? [
            plaintext > 0
              ? `${plaintext} plaintext secret(s) in ${env}'s files (${scanned
                  .slice(0, 3)
                  .map((f) => `${f.file}:${f.line}`)
                  .join(', ')}${plaintext > 3 ? ', ...' : ''})`
              : '',
            ...problems
              .filter((p) => p.kind === 'external-secret')
              .slice(0, 3)
              .map((p) => p.message)
          ]
            .filter(Boolean)
            .join('; ')
        : status === 'pending'
          ? waiting.map((p) => p.message).join('; ')
          : `no plaintext secrets and no rotation under way for ${env} (${notes.join('; ') || 'nothing to check'})`
    return {
      result: { status, summary, evidence, ...(warnings.length ? { warnings } : {}) },
      markdown: markdown.join('\n\n') || `Nothing found (${notes.join('; ')}).`,
      findings: [
        ...scanned.map((f) => ({ kind: 'plaintext', ...f })),
        ...verdicts.map((v) => ({ kind: 'external-secret', ...v })),
        ...problems.filter((p) => p.kind === 'rotation' || p.kind === 'cooldown')
      ]
    }
  }
})

export const secrets = secretsCheck.gate

async function externalSecrets(
  live: LiveEnvironment,
  settings: SecretsSettings,
  context: CheckContext,
  problems: SecretsProblem[],
  notes: string[]
): Promise<ExternalSecretVerdict[]> {
  const byScope = new Map<string, { live: LiveEnvironment['workloads'][number]; secrets: Set<string> }>()
  for (const w of live.workloads) {
    const key = `${w.cluster.name}\u0000${w.ref.namespace}`
    const entry = byScope.get(key) ?? { live: w, secrets: new Set<string>() }
    for (const ref of configReferences(w.workload.spec?.template ?? {}))
      if (ref.kind === 'Secret') entry.secrets.add(ref.name)
    byScope.set(key, entry)
  }
  const chosen: ExternalSecret[] = []
  let notServed = false
  for (const { live: w, secrets } of byScope.values()) {
    const listed = await live.objects.listIfServed<ExternalSecret>(
      w.cluster.api,
      'ExternalSecret',
      w.ref.namespace
    )
    if (listed === undefined) {
      notServed = true
      for (const name of settings['external-secrets'].names)
        problems.push({
          kind: 'external-secret',
          subject: `externalsecret ${w.ref.namespace}/${name}`,
          message: `externalsecret/${name} in ${w.cluster.name}/${w.ref.namespace} cannot exist: the cluster does not serve external-secrets.io ExternalSecrets (is the External Secrets Operator installed?)`
        })
      continue
    }
    for (const es of listed) {
      const target = es.spec?.target?.name ?? es.metadata?.name ?? ''
      if (secrets.has(target) || settings['external-secrets'].names.includes(es.metadata?.name ?? ''))
        chosen.push(es)
    }
    for (const name of settings['external-secrets'].names)
      if (!listed.some((es) => es.metadata?.name === name))
        problems.push({
          kind: 'external-secret',
          subject: `externalsecret ${w.ref.namespace}/${name}`,
          message: `externalsecret/${name} does not exist in ${w.cluster.name}/${w.ref.namespace}`
        })
  }
  const cooldownMs =
    context.purpose === 'gate' && settings['rotation-guard'].enabled ? settings['rotation-guard'].cooldown : 0
  const verdicts = assessExternalSecrets(chosen, {
    now: context.clock.now(),
    cooldownMs,
    graceMs: settings['external-secrets'].grace
  })
  const judged = settings['external-secrets'].enabled
  for (const verdict of verdicts)
    for (const p of verdict.problems) {
      // With external-secrets off, only the cool-down is asked of them.
      if (!judged && p.problem !== 'recently-refreshed') continue
      problems.push({
        kind: p.problem === 'recently-refreshed' ? 'cooldown' : 'external-secret',
        subject: `externalsecret ${verdict.namespace}/${verdict.name}`,
        message: p.message
      })
    }
  notes.push(
    notServed
      ? 'ExternalSecrets: not served by the cluster'
      : `${verdicts.length} ExternalSecret(s) behind the workloads' Secrets`
  )
  return verdicts
}

/** A rotation holding the environment lock: the same Lease, name and scopes the promote stage takes. */
async function rotationLock(
  live: LiveEnvironment,
  context: CheckContext,
  problems: SecretsProblem[],
  evidence: Evidence[],
  notes: string[]
): Promise<void> {
  const name = lockName(context.environment.name)
  const now = context.clock.now()
  const scopes = environmentLockScopes(live.clusters, context.environment)
  for (const { cluster, namespace } of scopes) {
    const lease = await cluster.api.getLease(namespace, name)
    const holder = lease?.spec?.holderIdentity
    const annotations = lease?.metadata?.annotations ?? {}
    if (!lease || !holder || annotations[LOCK_PURPOSE_ANNOTATION] !== ROTATION) continue
    const renewed = Date.parse(String(lease.spec?.renewTime ?? lease.spec?.acquireTime ?? ''))
    const until = renewed + (lease.spec?.leaseDurationSeconds ?? 0) * 1000
    // A dead rotation's Lease expires: past its duration it no longer holds anything.
    if (!Number.isFinite(renewed) || until <= now) continue
    const reason = annotations[LOCK_REASON_ANNOTATION]
    const url = holderRunLink(holder, annotations[RUN_URL_ANNOTATION], context.workflow.serverUrl)
    const message = `a secret rotation holds the lock of ${context.environment.name} (lease ${namespace}/${name} in ${cluster.name}, held by ${holder}${reason ? `: "${reason}"` : ''}); promotions wait until it is released`
    problems.push({ kind: 'rotation', subject: `lease ${namespace}/${name}`, message })
    evidence.push({
      label: `lease ${namespace}/${name} in ${cluster.name}`,
      value: `⏳ secret rotation by ${holder}${reason ? ` (${reason})` : ''}, held until ${new Date(until).toISOString()}`,
      ...(url ? { url } : {})
    })
    return
  }
  notes.push(
    `no rotation holds lease ${name} (${scopes.map((s) => `${s.cluster.name}/${s.namespace}`).join(', ')})`
  )
}
