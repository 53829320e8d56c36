import type { ResolvedEnvironment } from '../../config/schema.js'
import { Output } from '../../runtime/action-io.js'
import { OperationalError } from '../../runtime/errors.js'
import { resolveUpstreamImage } from '../../targets/upstream-image.js'
import { defineStep, succeeded } from '../promotion-step.js'
import type { PromotionRun } from '../promotion-run.js'

/**
 * Which image this promotion deploys: the one the settings name, or (from-upstream) the digest
 * the upstream environment's pods run, read now, and only when upstream runs the build of the
 * commit being promoted (the action's source-sha annotation on its workloads, else its newest
 * successful GitHub Deployment): an upstream that has moved on is refused, not promoted.
 */
export const imageStep = defineStep({
  name: 'image',
  needs: ['clusters'],
  async run(run) {
    const { settings, logger } = run
    const source = settings.imageSource
    const image = await logger.group('Image', async () => {
      if (source.kind === 'reference') return source.image
      const found = await resolveUpstreamImage({
        upstream: source.upstream,
        clusters: run.connector.clusters(source.upstream),
        repository: source.repository,
        logger
      })
      await checkUpstreamBuild(run, source.upstream, found.builds)
      return found.image
    })
    run.image = image
    logger.info(
      `Promoting ${image.format()}${image.digest ? ` (digest ${image.digest})` : ''} to ${settings.environmentName}`
    )
    return succeeded({ outputs: { [Output.Image]: image.format(), [Output.Digest]: image.digest ?? '' } })
  }
})

async function checkUpstreamBuild(
  run: PromotionRun,
  upstream: ResolvedEnvironment,
  builds: string[]
): Promise<void> {
  const { sha } = run.settings
  const same = (other: string) => {
    const n = Math.min(other.length, sha.length)
    return n >= 7 && other.slice(0, n).toLowerCase() === sha.slice(0, n).toLowerCase()
  }
  let running = builds
  let evidence = 'its workloads say so'
  if (running.length === 0) {
    const records = await run.records()
    const deployed = (await records?.list(upstream.name, { limit: 20 }))?.find((d) => d.state === 'success')
    if (!deployed) {
      run.logger.warning(
        `from-upstream: cannot tell which build ${upstream.name} runs (no promote-action annotation on its workloads, no successful GitHub Deployment); promoting its running digest`
      )
      return
    }
    running = [deployed.sha]
    evidence = `its newest successful GitHub Deployment (${deployed.id}) says so`
  }
  const other = running.filter((build) => !same(build))
  if (other.length === 0) {
    run.logger.info(`from-upstream: ${upstream.name} runs the build of ${sha.slice(0, 7)} (${evidence})`)
    return
  }
  throw new OperationalError(
    `from-upstream: ${upstream.name} runs the build of ${other.map((b) => b.slice(0, 7)).join(', ')} now, not of ${sha.slice(0, 7)} (${evidence}): it has moved on. Promote ${other[0]!.slice(0, 7)} instead, or give the image of ${sha.slice(0, 7)} explicitly.`,
    { title: 'Upstream has moved on' }
  )
}
