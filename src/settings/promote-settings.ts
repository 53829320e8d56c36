import { Input, type ActionIO } from '../runtime/action-io.js'
import { ProblemList } from '../runtime/errors.js'
import type { WorkflowContext } from '../runtime/workflow-context.js'
import type { ResolvedEnvironment } from '../config/schema.js'
import type { ImageReference } from '../image/image-reference.js'
import { configuredImage, promotedRepository } from '../targets/promoted-image.js'
import { loadEnvironment, readCommonInputs, settled, type CommonSettings } from './common-settings.js'
import { InputReader } from './input-readers.js'

/** Where the image to promote comes from. */
export type ImageSource =
  | { kind: 'reference'; image: ImageReference }
  /** The digest the upstream environment's pods actually run, read at promotion time. */
  | { kind: 'upstream'; upstream: ResolvedEnvironment; repository: string | undefined }

export interface PromoteSettings extends CommonSettings {
  imageSource: ImageSource
  timeoutMs: number
  lockTimeoutMs: number
  rollback: 'auto' | 'never'
  /** Promote a commit older than the one the environment runs. */
  allowDowngrade: boolean
  /** Refuse a commit whose gates for this environment did not pass (unless they ran in this step). */
  requireGates: boolean
}

/**
 * The only reader of the promote stage's inputs. Every input and config problem is reported at
 * once, before any network call.
 */
export async function readPromoteSettings(io: ActionIO, workflow: WorkflowContext): Promise<PromoteSettings> {
  const reader = new InputReader(io, new ProblemList())
  const common = readCommonInputs(reader, workflow)
  const imageInput = { text: reader.text(Input.Image), image: reader.image(Input.Image) }
  const fromUpstream = reader.boolean(Input.FromUpstream) ?? false
  const timeoutMs = reader.durationMs(Input.Timeout)
  const lockTimeoutMs = reader.durationMs(Input.LockTimeout)
  const rollback = reader.oneOf(Input.Rollback, ['auto', 'never'] as const)
  const allowDowngrade = reader.boolean(Input.AllowDowngrade) ?? false
  const requireGates = reader.boolean(Input.RequireGates) ?? true
  if (imageInput.text !== undefined && fromUpstream)
    reader.problems.add({
      path: 'input from-upstream',
      value: 'true',
      expected: 'false when the image input is given'
    })
  const settings = await loadEnvironment(common, workflow, reader.problems)
  const env = settings.environment
  const imageSource = imageSourceOf(settings, imageInput, fromUpstream, reader.problems)
  return {
    ...settings,
    imageSource: settled(reader.problems, imageSource),
    timeoutMs: timeoutMs ?? env.rollout.timeout,
    lockTimeoutMs: lockTimeoutMs ?? env.lock.timeout,
    rollback: rollback ?? env.rollout.rollback,
    allowDowngrade,
    requireGates
  }
}

/** Which image to promote: the input, the upstream's running digest, or the configured template. */
function imageSourceOf(
  settings: CommonSettings,
  input: { text: string | undefined; image: ImageReference | undefined },
  fromUpstream: boolean,
  problems: ProblemList
): ImageSource | undefined {
  // An invalid image input is already a problem; no fallback is worth reporting beside it.
  if (input.text !== undefined) return input.image && { kind: 'reference', image: input.image }
  if (fromUpstream) {
    if (!settings.upstream) {
      problems.add({
        path: 'input from-upstream',
        value: 'true',
        expected: `an environment with a from: (${settings.environmentName} promotes from nothing)`
      })
      return undefined
    }
    return {
      kind: 'upstream',
      upstream: settings.upstream,
      repository: promotedRepository(settings.environment, settings.upstream)
    }
  }
  const { image, problem } = configuredImage(settings.environment, settings.upstream, settings.sha)
  if (problem) problems.add(problem)
  else if (!image)
    problems.add({
      path: 'input image',
      expected: `an image reference, from-upstream: true, or image.repository in the config for ${settings.environmentName} (or for the environment it promotes from)`
    })
  return image && { kind: 'reference', image }
}
