import { Output } from '../../runtime/action-io.js'
import { resolveUpstreamImage } from '../../targets/upstream-image.js'
import { defineStep, succeeded } from '../promotion-step.js'

/**
 * Which image this promotion deploys: the one the settings name, or (from-upstream) the digest
 * the upstream environment's pods run, read now.
 */
export const imageStep = defineStep({
  name: 'image',
  needs: ['clusters'],
  async run(run) {
    const { settings, logger } = run
    const source = settings.imageSource
    const image = await logger.group('Image', async () => {
      if (source.kind === 'reference') return source.image
      return resolveUpstreamImage({
        upstream: source.upstream,
        clusters: run.connector.clusters(source.upstream),
        repository: source.repository,
        logger
      })
    })
    run.image = image
    logger.info(
      `Promoting ${image.format()}${image.digest ? ` (digest ${image.digest})` : ''} to ${settings.environmentName}`
    )
    return succeeded({ outputs: { [Output.Image]: image.format(), [Output.Digest]: image.digest ?? '' } })
  }
})
