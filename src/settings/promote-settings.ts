import { Input, type ActionIO } from '../runtime/action-io.js'
import type { WorkflowContext } from '../runtime/workflow-context.js'
import { ImageReference, ImageReferenceError } from '../image/image-reference.js'
import { readStageSettings, type CommonSettings } from './common-settings.js'

/** Where the image to promote comes from. */
export type ImageSource =
  | { kind: 'reference'; image: ImageReference }
  /** The digest the upstream environment's pods actually run, read at promotion time. */
  | { kind: 'upstream'; repository: string | undefined }

export interface PromoteSettings extends CommonSettings {
  imageSource: ImageSource
  timeoutMs: number
  lockTimeoutMs: number
  rollback: 'auto' | 'never'
}

export function readPromoteSettings(io: ActionIO, workflow: WorkflowContext): Promise<PromoteSettings> {
  let imageInput: string | undefined
  let image: ImageReference | undefined
  let fromUpstream = false
  let timeoutMs: number | undefined
  let lockTimeoutMs: number | undefined
  let rollback: 'auto' | 'never' | undefined
  return readStageSettings(
    io,
    workflow,
    (reader) => {
      imageInput = reader.text(Input.Image)
      image = reader.image(Input.Image)
      fromUpstream = reader.boolean(Input.FromUpstream) ?? false
      timeoutMs = reader.durationMs(Input.Timeout)
      lockTimeoutMs = reader.durationMs(Input.LockTimeout)
      rollback = reader.oneOf(Input.Rollback, ['auto', 'never'] as const)
      if (imageInput !== undefined && fromUpstream)
        reader.problems.add({
          path: 'input from-upstream',
          value: 'true',
          expected: 'false when the image input is given'
        })
      return {}
    },
    // Which image to promote depends on the environment's config, read by now.
    (settings, problems) => {
      const env = settings.environment
      let imageSource: ImageSource | undefined
      // An invalid image input is already a problem; no fallback is worth reporting beside it.
      if (imageInput !== undefined) imageSource = image && { kind: 'reference', image }
      else if (fromUpstream) {
        if (!settings.upstream)
          problems.add({
            path: 'input from-upstream',
            value: 'true',
            expected: `an environment with a from: (${settings.environmentName} promotes from nothing)`
          })
        imageSource = { kind: 'upstream', repository: env.image.repository }
      } else {
        if (!env.image.repository)
          problems.add({
            path: 'input image',
            expected: `an image reference, from-upstream: true, or image.repository in the config for ${settings.environmentName}`
          })
        else {
          const tag = env.image.tag
            .replaceAll('${sha}', settings.sha)
            .replaceAll('${short-sha}', settings.sha.slice(0, 7))
          const text = `${env.image.repository}:${tag}`
          try {
            imageSource = { kind: 'reference', image: ImageReference.parse(text) }
          } catch (error) {
            if (!(error instanceof ImageReferenceError)) throw error
            problems.add({
              path: `image.repository and image.tag of ${settings.environmentName}`,
              value: text,
              expected: 'a valid image reference'
            })
          }
        }
      }
      Object.assign(settings, {
        imageSource,
        timeoutMs: timeoutMs ?? env.rollout.timeout,
        lockTimeoutMs: lockTimeoutMs ?? env.lock.timeout,
        rollback: rollback ?? env.rollout.rollback
      })
    }
  ) as Promise<PromoteSettings>
}
