import { httpChecksFromConfig, probePolicyFromConfig, type PromotedValues } from '../health/from-config.js'
import type { HttpCheck, ProbePolicy } from '../health/http-check.js'
import type { ImageReference } from '../image/image-reference.js'
import { Input, type ActionIO } from '../runtime/action-io.js'
import { ProblemList } from '../runtime/errors.js'
import type { WorkflowContext } from '../runtime/workflow-context.js'
import { configuredImage } from '../targets/promoted-image.js'
import { loadEnvironment, readCommonInputs, type CommonSettings } from './common-settings.js'
import { InputReader } from './input-readers.js'

export type OnFailure = 'rollback' | 'report'

export interface VerifySettings extends CommonSettings {
  /** The promoted image: the input, else image.repository:tag from the config; undefined when neither names one. */
  image: ImageReference | undefined
  /** The Deployment record to close; undefined = find it by environment and SHA. */
  deploymentId: number | undefined
  onFailure: OnFailure
  /** Recorded on the Deployment on success: the input, else `url` from the config. */
  environmentUrl: string | undefined
  /** Overall limit on each wait (HTTP deadline, rollout wait); from the input or the config. */
  timeoutMs: number
  /** GitOps: how long the engine may take to sync and report healthy (the input, else gitops.sync.timeout). */
  syncTimeoutMs: number
  /** `health.http`, placeholders filled with the promoted values, from-env headers read. */
  checks: HttpCheck[]
  policy: ProbePolicy
  /** What `${sha}`, `${version}`, `${tag}`, `${digest}` stand for. */
  promoted: PromotedValues
}

const DEPLOYMENT_ID = /^[1-9]\d{0,15}$/

/**
 * The only reader of the verify stage's inputs. Input and config problems (a from-env header
 * variable that is not set included) are reported together, before any network call.
 */
export async function readVerifySettings(
  io: ActionIO,
  workflow: WorkflowContext,
  env: NodeJS.ProcessEnv
): Promise<VerifySettings> {
  const reader = new InputReader(io, new ProblemList())
  const problems = reader.problems
  const common = readCommonInputs(reader, workflow)
  const imageInput = reader.image(Input.Image)
  const id = reader.matching(Input.DeploymentId, DEPLOYMENT_ID, 'a GitHub Deployment id (a positive integer)')
  const onFailureInput = reader.oneOf(Input.OnFailure, ['rollback', 'report'] as const)
  const environmentUrl = reader.matching(
    Input.EnvironmentUrl,
    /^https?:\/\/\S+$/i,
    'an http:// or https:// URL'
  )
  const timeoutInput = reader.durationMs(Input.Timeout)
  const settings = await loadEnvironment(common, workflow, problems)

  const environment = settings.environment
  const image = imageInput ?? configuredImage(environment, settings.upstream, settings.sha).image
  const promoted: PromotedValues = {
    sha: settings.sha,
    ...(image?.tag !== undefined ? { tag: image.tag, version: image.tag } : {}),
    ...(image?.digest !== undefined ? { digest: image.digest } : {})
  }
  const { checks, problems: checkProblems } = httpChecksFromConfig(
    environment.health.http,
    promoted,
    env,
    `${settings.config.file}: environments.${settings.environmentName}.health.http`
  )
  problems.addAll(checkProblems)
  const onFailure = onFailureInput ?? environment.health['on-failure']
  // GitOps rolls back by reverting the promotion's commit through the GitHub API.
  if (onFailure === 'rollback' && environment.mode === 'gitops' && !environment.gitops?.sync)
    problems.add({
      path: `${settings.config.file}: environments.${settings.environmentName}.gitops.sync`,
      expected: `argocd or flux (on-failure: rollback in gitops mode reverts the promotion's commit, found and judged through the engine's sync)`
    })
  if (onFailure === 'rollback' && environment.mode === 'gitops' && !settings.githubToken)
    problems.add({
      path: 'input github-token',
      expected: `a token that may write contents of the manifests repository (on-failure: rollback in gitops mode reverts the promotion's commit)`
    })
  problems.throwIfAny()
  const policy = probePolicyFromConfig(environment.health.policy)
  return {
    ...settings,
    image,
    deploymentId: id === undefined ? undefined : Number(id),
    onFailure,
    environmentUrl: environmentUrl ?? environment.url,
    timeoutMs: timeoutInput ?? Math.max(policy.deadlineMs, environment.rollout.timeout),
    syncTimeoutMs: timeoutInput ?? environment.gitops?.sync?.timeout ?? environment.rollout.timeout,
    checks,
    policy: timeoutInput === undefined ? policy : { ...policy, deadlineMs: timeoutInput },
    promoted
  }
}
