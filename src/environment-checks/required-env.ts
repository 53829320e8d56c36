import type { V1Container, V1PodTemplateSpec } from '@kubernetes/client-node'
import type { ConfigKeyIndex } from './config-references.js'

/**
 * Whether required environment variables (the seed's DATABASE_URL, REDIS_URL, API_KEY) reach
 * every container, as the kubelet builds the environment: `envFrom` sources in order (a later
 * source wins; each key becomes `prefix + key`; a missing optional source adds nothing), then
 * `env` entries, which override them. A variable set to the empty string counts as missing,
 * as the seed's `!process.env[key]` reads it. A `valueFrom` key reference that the namespace
 * cannot satisfy leaves the variable unresolved; `fieldRef` and `resourceFieldRef` always
 * resolve. Values are never read beyond "empty or not".
 */
export interface RequiredEnvOptions {
  /** Containers to check (default: every regular container, not init containers). */
  containers?: string[]
}

export type RequiredEnvProblem = 'missing' | 'empty' | 'unresolved'

export interface RequiredEnvFinding {
  container: string
  variable: string
  problem: RequiredEnvProblem
  message: string
}

export function requiredEnvFindings(
  template: V1PodTemplateSpec,
  required: string[],
  index: ConfigKeyIndex,
  options: RequiredEnvOptions = {}
): RequiredEnvFinding[] {
  const all = [...(template.spec?.initContainers ?? []), ...(template.spec?.containers ?? [])]
  const chosen = options.containers
    ? all.filter((c) => options.containers!.includes(c.name))
    : (template.spec?.containers ?? [])
  const findings: RequiredEnvFinding[] = []
  for (const container of chosen) {
    const environment = containerEnvironment(container, index)
    for (const variable of required) {
      const state = environment.get(variable)
      if (state?.kind === 'set') continue
      findings.push({
        container: container.name,
        variable,
        problem: state?.kind ?? 'missing',
        message: `container ${container.name}: ${variable} ${state?.why ?? 'is not set (neither in env nor through envFrom)'}`
      })
    }
  }
  return findings
}

export type VariableState = { kind: 'set' } | { kind: 'empty' | 'unresolved'; why: string }

/** Variable name -> whether it ends up with a value, for one container. */
export function containerEnvironment(
  container: V1Container,
  index: ConfigKeyIndex
): Map<string, VariableState> {
  const environment = new Map<string, VariableState>()
  for (const source of container.envFrom ?? []) {
    const ref = source.configMapRef ?? source.secretRef
    if (!ref) continue
    const keys = (source.configMapRef ? index.configMaps : index.secrets)[ref.name ?? '']
    if (keys === undefined) continue
    // Keys come with their values from the object; an empty value is not visible here, so
    // envFrom keys count as set.
    for (const key of keys) environment.set(`${source.prefix ?? ''}${key}`, { kind: 'set' })
  }
  for (const env of container.env ?? []) {
    const from = env.valueFrom
    if (!from) {
      environment.set(
        env.name,
        env.value === undefined || env.value === ''
          ? { kind: 'empty', why: 'is set to the empty string' }
          : { kind: 'set' }
      )
      continue
    }
    const ref = from.configMapKeyRef ?? from.secretKeyRef
    if (!ref) {
      environment.set(env.name, { kind: 'set' })
      continue
    }
    const kind = from.configMapKeyRef ? 'configmap' : 'secret'
    const keys = (from.configMapKeyRef ? index.configMaps : index.secrets)[ref.name ?? '']
    if (keys === undefined)
      environment.set(env.name, {
        kind: 'unresolved',
        why: `comes from ${kind}/${ref.name}, which does not exist`
      })
    else if (!keys.includes(ref.key))
      environment.set(env.name, {
        kind: 'unresolved',
        why: `comes from ${kind}/${ref.name}, which has no key ${ref.key}`
      })
    else environment.set(env.name, { kind: 'set' })
  }
  return environment
}
