import { httpChecksFromConfig, probePolicyFromConfig, type PromotedValues } from '../health/from-config.js'
import type { HttpCheck, ProbePolicy } from '../health/http-check.js'
import { ImageReference } from '../image/image-reference.js'
import { Input, type ActionIO } from '../runtime/action-io.js'
import type { WorkflowContext } from '../runtime/workflow-context.js'
import { readStageSettings, type CommonSettings } from './common-settings.js'

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
export function readVerifySettings(
  io: ActionIO,
  workflow: WorkflowContext,
  env: NodeJS.ProcessEnv
): Promise<VerifySettings> {
  let imageInput: string | undefined
  let deploymentId: number | undefined
  let onFailure: OnFailure | undefined
  let environmentUrl: string | undefined
  let timeoutMs: number | undefined
  return readStageSettings(
    io,
    workflow,
    (reader) => {
      imageInput = reader.image(Input.Image)?.format()
      const id = reader.matching(
        Input.DeploymentId,
        DEPLOYMENT_ID,
        'a GitHub Deployment id (a positive integer)'
      )
      deploymentId = id === undefined ? undefined : Number(id)
      onFailure = reader.oneOf(Input.OnFailure, ['rollback', 'report'] as const)
      environmentUrl = reader.matching(
        Input.EnvironmentUrl,
        /^https?:\/\/\S+$/i,
        'an http:// or https:// URL'
      )
      timeoutMs = reader.durationMs(Input.Timeout)
      return {}
    },
    (settings, problems) => {
      const environment = settings.environment
      const image = imageInput !== undefined ? ImageReference.parse(imageInput) : configuredImage(settings)
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
      const resolvedOnFailure = onFailure ?? environment.health['on-failure']
      if (resolvedOnFailure === 'rollback' && environment.mode !== 'kubernetes')
        problems.add({
          path: onFailure
            ? 'input on-failure'
            : `${settings.config.file}: environments.${settings.environmentName}.health.on-failure`,
          value: 'rollback',
          expected: `report (${settings.environmentName} is in ${environment.mode} mode; only kubernetes mode can roll back)`
        })
      const policy = probePolicyFromConfig(environment.health.policy)
      const overall = timeoutMs ?? Math.max(policy.deadlineMs, environment.rollout.timeout)
      Object.assign(settings, {
        image,
        deploymentId,
        onFailure: resolvedOnFailure,
        environmentUrl: environmentUrl ?? environment.url,
        timeoutMs: overall,
        checks,
        policy: timeoutMs === undefined ? policy : { ...policy, deadlineMs: timeoutMs },
        promoted
      })
    }
  ) as Promise<VerifySettings>
}

/** image.repository:tag from the config (tag `${sha}` by default), as the promote stage builds it. */
function configuredImage(settings: CommonSettings): ImageReference | undefined {
  const { repository, tag } = settings.environment.image
  if (!repository) return undefined
  const filled = tag.replaceAll('${sha}', settings.sha).replaceAll('${short-sha}', settings.sha.slice(0, 7))
  return ImageReference.tryParse(`${repository}:${filled}`)
}
