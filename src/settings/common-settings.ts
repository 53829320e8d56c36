import { loadPromotionConfig, type PromotionConfig } from '../config/load-config.js'
import { gateCatalog } from '../gates/registry.js'
import type { ResolvedEnvironment } from '../config/schema.js'
import { Input, type ActionIO } from '../runtime/action-io.js'
import { ConfigurationError, ProblemList } from '../runtime/errors.js'
import type { WorkflowContext } from '../runtime/workflow-context.js'
import { InputReader } from './input-readers.js'

export const SHA_PATTERN = /^[0-9a-f]{7,40}$/i

/** What every stage reads: which environment, which commit, which config, which credentials. */
export interface CommonSettings {
  environmentName: string
  environment: ResolvedEnvironment
  /** The environment this one promotes from, when it names one. */
  upstream: ResolvedEnvironment | undefined
  config: PromotionConfig
  sha: string
  dryRun: boolean
  githubToken: string
  kubeconfig: string | undefined
}

/**
 * Reads the common inputs and the promotion config, then lets the stage read its own
 * inputs with the same reader, so input and config problems are reported together.
 * Throws one ConfigurationError before anything else happens.
 */
export async function readStageSettings<Extra>(
  io: ActionIO,
  workflow: WorkflowContext,
  readExtra: (
    reader: InputReader,
    common: Omit<CommonSettings, 'environment' | 'upstream' | 'config'>
  ) => Extra,
  finish?: (settings: CommonSettings & Extra, problems: ProblemList) => void
): Promise<CommonSettings & Extra> {
  const problems = new ProblemList()
  const reader = new InputReader(io, problems)

  const environmentName = reader.required(
    Input.Environment,
    'the name of an environment in the promotion config'
  )
  const sha = reader.matching(Input.Sha, SHA_PATTERN, 'a commit SHA (7 to 40 hex characters)') ?? workflow.sha
  if (!sha) problems.add({ path: 'input sha', expected: 'a commit SHA (GITHUB_SHA is not set either)' })
  const configPath = reader.text(Input.Config) ?? '.github/promotion.yml'
  const common = {
    environmentName,
    sha,
    dryRun: reader.boolean(Input.DryRun) ?? false,
    githubToken: reader.text(Input.GithubToken) ?? '',
    kubeconfig: reader.text(Input.Kubeconfig)
  }
  const extra = readExtra(reader, common)

  let config: PromotionConfig | undefined
  try {
    config = await loadPromotionConfig(resolveInWorkspace(configPath, workflow), gateCatalog)
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error
    problems.addAll(error.problems)
  }
  const environment = config && environmentName ? config.environments.get(environmentName) : undefined
  if (config && environmentName && !environment)
    problems.add({
      path: 'input environment',
      value: environmentName,
      expected: `one of the environments in ${config.file}: ${config.order.join(', ')}`
    })
  problems.throwIfAny()

  const settings = {
    ...common,
    ...extra,
    config: config!,
    environment: environment!,
    upstream: environment!.from ? config!.environments.get(environment!.from) : undefined
  }
  finish?.(settings, problems)
  problems.throwIfAny()
  return settings
}

function resolveInWorkspace(path: string, workflow: WorkflowContext): string {
  return path.startsWith('/') ? path : `${workflow.workspace}/${path}`
}
