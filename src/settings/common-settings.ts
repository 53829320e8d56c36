import { loadPromotionConfig, type PromotionConfig } from '../config/load-config.js'
import type { ResolvedEnvironment } from '../config/schema.js'
import { gateCatalog } from '../gates/registry.js'
import { Input } from '../runtime/action-io.js'
import { ConfigurationError, type ProblemList } from '../runtime/errors.js'
import type { WorkflowContext } from '../runtime/workflow-context.js'
import type { InputReader } from './input-readers.js'

export const SHA_PATTERN = /^[0-9a-f]{7,40}$/i

/** The inputs every stage reads: which environment, which commit, which config, which credentials. */
export interface CommonInputs {
  environmentName: string
  sha: string
  configPath: string
  dryRun: boolean
  githubToken: string
  kubeconfig: string | undefined
}

/** The common inputs with the promotion config loaded and the environment found in it. */
export interface CommonSettings extends Omit<CommonInputs, 'configPath'> {
  environment: ResolvedEnvironment
  /** The environment this one promotes from, when it names one. */
  upstream: ResolvedEnvironment | undefined
  config: PromotionConfig
}

/**
 * The common inputs, problems recorded in the reader's list. Each stage reads these first, then
 * its own inputs with the same reader, then loads the config (loadEnvironment), so input and
 * config problems are reported together.
 */
export function readCommonInputs(reader: InputReader, workflow: WorkflowContext): CommonInputs {
  const environmentName = reader.required(
    Input.Environment,
    'the name of an environment in the promotion config'
  )
  const sha = reader.matching(Input.Sha, SHA_PATTERN, 'a commit SHA (7 to 40 hex characters)') ?? workflow.sha
  if (!sha)
    reader.problems.add({ path: 'input sha', expected: 'a commit SHA (GITHUB_SHA is not set either)' })
  return {
    environmentName,
    sha,
    configPath: reader.text(Input.Config) ?? '.github/promotion.yml',
    dryRun: reader.boolean(Input.DryRun) ?? false,
    githubToken: reader.text(Input.GithubToken) ?? '',
    kubeconfig: reader.text(Input.Kubeconfig)
  }
}

/**
 * Loads the promotion config (every gate's `with` validated by its own schema) and finds the
 * environment. Throws one ConfigurationError with every problem recorded so far (inputs
 * included) when anything is wrong, before anything else happens.
 */
export async function loadEnvironment(
  inputs: CommonInputs,
  workflow: WorkflowContext,
  problems: ProblemList
): Promise<CommonSettings> {
  const { configPath, ...common } = inputs
  let config: PromotionConfig | undefined
  try {
    config = await loadPromotionConfig(resolveInWorkspace(configPath, workflow), gateCatalog)
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error
    problems.addAll(error.problems)
  }
  const environment =
    config && inputs.environmentName ? config.environments.get(inputs.environmentName) : undefined
  if (config && inputs.environmentName && !environment)
    problems.add({
      path: 'input environment',
      value: inputs.environmentName,
      expected: `one of the environments in ${config.file}: ${config.order.join(', ')}`
    })
  const found = settled(problems, config && environment ? { config, environment } : undefined)
  return {
    ...common,
    ...found,
    upstream: found.environment.from ? found.config.environments.get(found.environment.from) : undefined
  }
}

/**
 * Throws every problem recorded; otherwise returns `value`. Readers leave a value undefined only
 * where they recorded a problem, so after this the value is known to be there.
 */
export function settled<T>(problems: ProblemList, value: T | undefined): T {
  problems.throwIfAny()
  if (value === undefined) throw new ConfigurationError(problems.items)
  return value
}

/** Where the config file is: the input as given when absolute, else in the workspace. */
export function resolveInWorkspace(path: string, workflow: WorkflowContext): string {
  return path.startsWith('/') ? path : `${workflow.workspace}/${path}`
}
