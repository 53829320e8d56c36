import { loadPromotionConfig, type PromotionConfig } from '../config/load-config.js'
import type { ResolvedEnvironment } from '../config/schema.js'
import type { EnvironmentCheck } from '../gates/environment-check.js'
import type { GateSetup } from '../gates/gate-definition.js'
import { environmentChecks, gateCatalog } from '../gates/registry.js'
import { Input, type ActionIO } from '../runtime/action-io.js'
import { ConfigurationError, ProblemList } from '../runtime/errors.js'
import type { WorkflowContext } from '../runtime/workflow-context.js'
import { resolveInWorkspace, SHA_PATTERN, settled } from './common-settings.js'
import { InputReader } from './input-readers.js'

export type FailOn = 'drift' | 'never'

/** One environment check to run on one environment, with its settings. */
export interface PlannedCheck {
  environment: ResolvedEnvironment
  upstream: ResolvedEnvironment | undefined
  check: EnvironmentCheck
  /** The gate entry's display name, else the check's. */
  name: string
  settings: unknown
  /** Whether the environment names the check as a gate (else it runs with its defaults). */
  configured: boolean
}

export interface CheckSettings {
  config: PromotionConfig
  sha: string
  githubToken: string
  kubeconfig: string | undefined
  kubernetesConfigured: boolean
  failOn: FailOn
  /** In the config's environment order, each environment's checks in report order. */
  checks: PlannedCheck[]
}

/**
 * The check stage's inputs and plan: every environment of the config, each with the
 * environment checks its gates name (with their settings) and the ones that apply by default
 * (with default settings). Problems, inputs and config alike, are reported at once.
 */
export async function readCheckSettings(
  io: ActionIO,
  workflow: WorkflowContext,
  env: NodeJS.ProcessEnv = process.env
): Promise<CheckSettings> {
  const reader = new InputReader(io, new ProblemList())
  const problems = reader.problems
  const sha = reader.matching(Input.Sha, SHA_PATTERN, 'a commit SHA (7 to 40 hex characters)') ?? workflow.sha
  const configPath = reader.text(Input.Config) ?? '.github/promotion.yml'
  const githubToken = reader.text(Input.GithubToken) ?? ''
  const kubeconfig = reader.text(Input.Kubeconfig)
  const failOn = reader.oneOf(Input.FailOn, ['drift', 'never'] as const) ?? 'never'
  if (!githubToken)
    problems.add({
      path: `input ${Input.GithubToken}`,
      expected: 'a token to read the manifests repository (default: ${{ github.token }})'
    })
  let config: PromotionConfig | undefined
  try {
    config = await loadPromotionConfig(resolveInWorkspace(configPath, workflow), gateCatalog)
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error
    problems.addAll(error.problems)
  }
  const loaded = settled(problems, config)
  const kubernetesConfigured = Boolean(kubeconfig || env['KUBECONFIG'] || env['KUBERNETES_SERVICE_HOST'])
  const checks = planChecks(loaded, kubernetesConfigured, problems)
  problems.throwIfAny()
  return { config: loaded, sha, githubToken, kubeconfig, kubernetesConfigured, failOn, checks }
}

function planChecks(
  config: PromotionConfig,
  kubernetesConfigured: boolean,
  problems: ProblemList
): PlannedCheck[] {
  const planned: PlannedCheck[] = []
  for (const name of config.order) {
    const environment = config.environments.get(name)!
    const upstream = environment.from ? config.environments.get(environment.from) : undefined
    const setup: GateSetup = {
      environmentName: name,
      environment,
      upstream,
      hasImage: false,
      kubernetesConfigured
    }
    for (const check of environmentChecks) {
      const entries = environment.gates
        .map((entry, index) => ({ entry, index }))
        .filter(({ entry }) => entry.uses === check.gate.name)
      if (entries.length === 0) {
        const settings = check.gate.settings.parse({})
        if (!check.byDefault(environment, setup)) continue
        if ((check.gate.validate?.(settings, setup) ?? []).length > 0) continue
        planned.push({ environment, upstream, check, name: check.gate.name, settings, configured: false })
        continue
      }
      for (const { entry, index } of entries) {
        // The config has validated `with` against the gate's schema already.
        const settings = check.gate.settings.parse(entry.with ?? {})
        for (const expected of check.gate.validate?.(settings, setup) ?? [])
          problems.add({
            path: `${config.file}: environments.${name}.gates[${index}] (uses: ${entry.uses})`,
            expected
          })
        planned.push({
          environment,
          upstream,
          check,
          name: entry.name ?? entry.uses,
          settings,
          configured: true
        })
      }
    }
  }
  return planned
}
