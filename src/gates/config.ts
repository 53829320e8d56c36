import { existsSync, readFileSync } from 'node:fs'
import type { V1Container } from '@kubernetes/client-node'
import { z } from 'zod'
import type { ResolvedEnvironment } from '../config/schema.js'
import {
  configReferences,
  missingConfigReferences,
  type ConfigKeyIndex
} from '../environment-checks/config-references.js'
import { containerEnvironment } from '../environment-checks/required-env.js'
import { selectContainers } from '../kubernetes/kinds/container-selection.js'
import { table } from '../runtime/markdown.js'
import type { TargetWorkload } from '../targets/target-workloads.js'
import { defineEnvironmentCheck, type CheckContext } from './environment-check.js'
import type { Evidence } from './gate-definition.js'
import { hasLiveTargets, namespaceKeys, readLiveEnvironment } from './live-environment.js'

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/

export const configSettings = z.strictObject({
  references: z
    .boolean()
    .default(true)
    .describe(
      'Every ConfigMap and Secret key the target workloads reference (env valueFrom, envFrom, volumes, projected volumes) exists in the target namespace, unless the reference is optional. Needs list on configmaps (and secrets with secret-keys).'
    ),
  'secret-keys': z
    .boolean()
    .default(false)
    .describe(
      "Also judge Secret references (and required variables that come from Secrets) by reading the namespace's Secrets. Needs get and list on secrets: the opt-in Secret Role in the README. Values are never kept: only key names are read. Without it, Secret references are counted as not checked."
    ),
  'required-env': z
    .array(z.string().regex(ENV_NAME, { error: 'an environment variable name such as DATABASE_URL' }))
    .default([])
    .describe(
      "Environment variables every promoted container must get a non-empty value for, directly or through envFrom (the seed's twelve-factor DATABASE_URL, REDIS_URL, API_KEY). Promoted containers: the target's containers, else those running the promoted repository, else every container."
    ),
  layered: z
    .strictObject({
      base: z
        .string()
        .min(1)
        .describe('The base config file in the repository, e.g. config/base-config.yaml.'),
      overrides: z
        .union([z.string().min(1), z.record(z.string(), z.string().min(1))])
        .describe(
          "Each environment's override file: a path with ${environment} (config/${environment}.yaml), or a map of environment name to path."
        ),
      required: z
        .array(z.string().min(1))
        .default([])
        .describe("Key paths every environment's merged config must hold with a value, e.g. app.port.")
    })
    .optional()
    .describe(
      '{ base, overrides, required }: layered config files (a base plus per-environment overrides, merged key by key as the seed describes). base: the base file (config/base-config.yaml); overrides: a path with ${environment} (config/${environment}.yaml) or a map of environment to path; required: key paths (app.port) every merged config must hold. The merged config of this environment and of its upstream must have the same shape (key paths) and hold the required keys. Read from the workspace: check out the repository first.'
    )
})

type ConfigSettings = z.infer<typeof configSettings>

interface ConfigFinding {
  kind:
    | 'missing-reference'
    | 'optional-reference'
    | 'required-env'
    | 'layered-shape'
    | 'layered-required'
    | 'layered-file'
  subject: string
  message: string
  /** Failing, or only worth knowing. */
  severity: 'error' | 'warning'
}

/**
 * Configuration is complete before the rollout: the kubelet would otherwise stop the new pods
 * with CreateContainerConfigError (a missing key) or keep them in ContainerCreating (a missing
 * volume source) after the rollout has begun. Reads one list of ConfigMaps (and, opt-in,
 * Secrets) per namespace, whatever the number of workloads.
 */
export const configCheck = defineEnvironmentCheck({
  name: 'config',
  description:
    "The target workloads' configuration is complete before the rollout: every ConfigMap and Secret key they reference exists (unless optional), the required environment variables reach every promoted container, and layered config files (base plus per-environment overrides) have the same shape in this environment and its upstream and hold the required keys. Secret keys are read only with secret-keys: true.",
  settings: configSettings,
  validate(settings, setup) {
    const live = settings.references || settings['required-env'].length > 0
    const problems: string[] = []
    if (!settings.layered && !(live && hasLiveTargets(setup.environment)))
      problems.push(`targets on ${setup.environmentName}, or with.layered (config files to compare)`)
    if (live && hasLiveTargets(setup.environment) && !setup.kubernetesConfigured)
      problems.push(
        `cluster credentials to read ${setup.environmentName} (the kubeconfig input, the KUBECONFIG variable, or a runner inside the cluster), or references: false`
      )
    return problems
  },
  byDefault: (environment, setup) => hasLiveTargets(environment) && setup.kubernetesConfigured,
  async check(settings, context) {
    const findings: ConfigFinding[] = []
    const notes: string[] = []
    const live = settings.references || settings['required-env'].length > 0
    if (live && hasLiveTargets(context.environment) && context.kubernetesConfigured)
      notes.push(...(await checkLive(settings, context, findings)))
    if (settings.layered) {
      // Loaded here: the YAML parser stays out of every bundle that only loads the gate registry.
      const layered = await import('../environment-checks/layered-config.js')
      notes.push(checkLayered(settings.layered, context, findings, layered))
    }

    const errors = findings.filter((f) => f.severity === 'error')
    const warnings = findings.filter((f) => f.severity === 'warning').map((f) => `${f.subject}: ${f.message}`)
    const evidence: Evidence[] = [
      ...findings.map((f) => ({
        label: f.subject,
        value: `${f.severity === 'error' ? '✗' : '⚠'} ${f.message}`
      })),
      ...notes.map((note) => ({ label: 'checked', value: note }))
    ]
    const env = context.environment.name
    const summary =
      errors.length > 0
        ? `${env} is missing configuration: ${errors
            .slice(0, 5)
            .map((f) => `${f.subject}: ${f.message}`)
            .join('; ')}${errors.length > 5 ? `; and ${errors.length - 5} more` : ''}`
        : `${env}'s configuration is complete (${notes.join('; ')})`
    return {
      result: {
        status: errors.length > 0 ? 'failed' : 'passed',
        summary,
        evidence,
        ...(warnings.length ? { warnings } : {})
      },
      markdown:
        findings.length === 0
          ? `Configuration complete: ${notes.join('; ')}.`
          : table(
              ['Where', 'Problem', 'Severity'],
              findings.map((f) => [f.subject, f.message, f.severity])
            ),
      findings
    }
  }
})

export const config = configCheck.gate

async function checkLive(
  settings: ConfigSettings,
  context: CheckContext,
  findings: ConfigFinding[]
): Promise<string[]> {
  const live = await readLiveEnvironment(context, context.environment)
  for (const u of live.unresolved)
    findings.push({ kind: 'missing-reference', subject: u.cluster, message: u.message, severity: 'error' })
  const secretKeys = settings['secret-keys']
  const indexes = new Map<string, Promise<ConfigKeyIndex>>()
  const indexFor = (w: TargetWorkload) => {
    const key = `${w.cluster.name}\u0000${w.ref.namespace}`
    if (!indexes.has(key))
      indexes.set(key, namespaceKeys(live.objects, w.cluster, w.ref.namespace, secretKeys))
    return indexes.get(key)!
  }
  let references = 0
  let secretsSkipped = 0
  let containers = 0
  for (const w of live.workloads) {
    const index = await indexFor(w)
    const template = w.workload.spec?.template ?? {}
    const subject = w.key
    if (settings.references) {
      for (const missing of missingConfigReferences(template, index)) {
        if (missing.kind === 'Secret' && !secretKeys) continue
        findings.push({
          kind: missing.optional ? 'optional-reference' : 'missing-reference',
          subject,
          message: missing.message,
          severity: missing.optional ? 'warning' : 'error'
        })
      }
      const all = configReferences(template)
      references += all.filter((r) => r.kind === 'ConfigMap' || secretKeys).length
      if (!secretKeys)
        secretsSkipped += all.filter((r) => r.kind === 'Secret' && r.via !== 'imagePullSecret').length
    }
    if (settings['required-env'].length > 0) {
      const chosen = promotedContainers(w, context)
      containers += chosen.length
      for (const container of chosen)
        findings.push(
          ...requiredEnv(container, settings['required-env'], index, secretKeys, subject, settings.references)
        )
    }
  }
  const notes = [`${live.workloads.length} workload(s) in ${live.clusters.map((c) => c.name).join(', ')}`]
  if (settings.references)
    notes.push(
      `${references} ConfigMap${secretKeys ? '/Secret' : ''} reference(s)${secretsSkipped ? `; ${secretsSkipped} Secret reference(s) not checked (secret-keys: false)` : ''}`
    )
  if (settings['required-env'].length > 0)
    notes.push(`${settings['required-env'].join(', ')} in ${containers} container(s)`)
  return notes
}

/** The containers a promotion sets (the target's, else the promoted repository's), else all. */
function promotedContainers(w: TargetWorkload, context: CheckContext): V1Container[] {
  const spec = w.workload.spec?.template?.spec
  const repository = context.image ?? context.environment.image.repository
  const selected = selectContainers(spec, { names: w.target.containers, repository }).selected
  if (selected.length > 0) return selected.map((s) => s.container)
  return spec?.containers ?? []
}

function requiredEnv(
  container: V1Container,
  required: string[],
  index: ConfigKeyIndex,
  secretKeys: boolean,
  subject: string,
  referencesJudged: boolean
): ConfigFinding[] {
  const environment = containerEnvironment(container, index)
  const fromSecretEnvFrom = (container.envFrom ?? []).filter((s) => s.secretRef).map((s) => s.secretRef!.name)
  const findings: ConfigFinding[] = []
  for (const variable of required) {
    const state = environment.get(variable)
    if (state?.kind === 'set') continue
    // A key reference the namespace cannot satisfy is reported once, as a missing reference.
    if (state?.kind === 'unresolved' && referencesJudged) continue
    const entry = container.env?.find((e) => e.name === variable)
    if (!secretKeys && entry?.valueFrom?.secretKeyRef) continue
    if (!secretKeys && !entry && fromSecretEnvFrom.length > 0) {
      findings.push({
        kind: 'required-env',
        subject,
        message: `container ${container.name}: ${variable} is not set directly; it may come from secret ${fromSecretEnvFrom.join(', ')} through envFrom (not read: secret-keys is false)`,
        severity: 'warning'
      })
      continue
    }
    findings.push({
      kind: 'required-env',
      subject,
      message: `container ${container.name}: required variable ${variable} ${state?.why ?? 'is not set (neither in env nor through envFrom)'}`,
      severity: 'error'
    })
  }
  return findings
}

function checkLayered(
  layered: NonNullable<ConfigSettings['layered']>,
  context: CheckContext,
  findings: ConfigFinding[],
  { checkLayeredConfig, parseConfigText }: typeof import('../environment-checks/layered-config.js')
): string {
  const environments = [context.environment, ...(context.upstream ? [context.upstream] : [])]
  const read = (path: string): unknown => {
    const full = context.resolvePath(path)
    if (!existsSync(full)) {
      findings.push({
        kind: 'layered-file',
        subject: path,
        message: `${path} does not exist`,
        severity: 'error'
      })
      return undefined
    }
    try {
      return parseConfigText(readFileSync(full, 'utf8'), path)
    } catch (error) {
      findings.push({
        kind: 'layered-file',
        subject: path,
        message: (error as Error).message,
        severity: 'error'
      })
      return undefined
    }
  }
  const base = read(layered.base)
  const overrides: Record<string, unknown> = {}
  const files: string[] = [layered.base]
  for (const env of environments) {
    const path = overridePath(layered.overrides, env)
    if (path === undefined) {
      if (env === context.environment)
        findings.push({
          kind: 'layered-file',
          subject: env.name,
          message: `layered.overrides names no file for ${env.name}`,
          severity: 'error'
        })
      continue
    }
    const override = read(path)
    if (override === undefined) continue
    overrides[env.name] = override
    files.push(path)
  }
  if (base === undefined || overrides[context.environment.name] === undefined)
    return `layered config ${files.join(', ')}`
  const report = checkLayeredConfig(base, overrides, layered.required)
  for (const difference of report.differences)
    findings.push({
      kind: 'layered-shape',
      subject: difference.path,
      message: `${difference.missingIn.join(', ')} lack${difference.missingIn.length === 1 ? 's' : ''} ${difference.path}, which ${difference.presentIn.join(', ')} ha${difference.presentIn.length === 1 ? 's' : 've'}`,
      severity: 'error'
    })
  for (const missing of report.missingRequired)
    findings.push({
      kind: 'layered-required',
      subject: missing.path,
      message: `${missing.environment}: required key ${missing.path} is ${missing.problem === 'missing' ? 'missing' : 'empty'}`,
      severity: 'error'
    })
  return `layered config ${files.join(', ')} (${Object.keys(overrides).join(', ')})`
}

function overridePath(
  overrides: string | Record<string, string>,
  environment: ResolvedEnvironment
): string | undefined {
  if (typeof overrides === 'string') return overrides.replaceAll('${environment}', environment.name)
  return overrides[environment.name]
}
