/**
 * Demo chapter: a secret rotation makes a promotion wait. The rotation workflow takes the
 * environment lock with a reason (promote-action/lock); a promotion that starts meanwhile waits
 * and shows the reason; the rotation unlocks (promote-action/unlock) and the promotion goes on.
 * The bundles run from dist/ as a runner launches them; the runs' logs interleave.
 */
import { launchAction, type BundleName, type LaunchResult } from '../../simulator/runner/launch-action.js'
import { REPOSITORY, SHA, type DemoWorld } from '../demo-world.js'
import { bold, cyan, dim, green, red, renderRunnerLine, renderSummary } from '../render-log.js'

export interface RotationChapterOptions {
  environment?: string
  /** The commit the waiting promotion promotes (its image is REPOSITORY:sha). */
  sha?: string
  /** How long the rotation's steps take while the promotion waits. */
  rotationMs?: number
}

const REASON = 'rotating shop/database-url'

export async function rotationChapter(world: DemoWorld, options: RotationChapterOptions = {}): Promise<void> {
  const environment = options.environment ?? 'staging'
  const sha = options.sha ?? SHA.release
  let failed = false
  console.log(
    `\n${cyan(`━━ A secret rotation locks ${environment}: a promotion that starts meanwhile waits, showing why`)}`
  )

  const rotation = '9101'
  const locked = await run(world, '[rotation] lock', 'lock', rotation, {
    environment,
    reason: REASON,
    'hold-for': '30m'
  })
  failed ||= locked.exitCode !== 0
  if (locked.summary.trim()) console.log(`  ${dim('job summary:')}\n${renderSummary(locked.summary)}`)

  const promotion = run(world, '[promotion] promote', 'promote', '9102', { environment, sha })
  // The rotation's own steps (new value into the store, restart, verify, revoke, audit).
  await new Promise((resolve) => setTimeout(resolve, options.rotationMs ?? 3000))
  console.log(dim('  [rotation] steps 1-6 of the rotation ran; the promotion is still waiting'))
  const unlocked = await run(world, '[rotation] unlock', 'unlock', rotation, { environment })
  failed ||= unlocked.exitCode !== 0 || unlocked.outputs['released'] !== 'true'

  const promoted = await promotion
  const waited = promoted.stdout.includes(`for a secret rotation: ${REASON}`)
  failed ||= promoted.exitCode !== 0 || !waited
  // The runner runs promote's post step after its job, with the saved state (nothing left to release).
  await launchAction({
    bundle: 'promote',
    cwd: world.workspace,
    inputs: { ...runInputs(world), environment, sha },
    env: runEnv(world, '9102', sha),
    state: promoted.state
  })
  // The lock's post step, after the rotation job: unlock already released everything.
  const post = await run(
    world,
    '[rotation] lock (post step)',
    'lock',
    rotation,
    { environment },
    locked.state
  )
  failed ||= post.exitCode !== 0

  console.log(
    failed
      ? red('  ✘ the rotation did not hold the promotion back as expected')
      : green(
          `  ✔ the promotion waited for the rotation (its log names the reason) and then promoted ${REPOSITORY}:${sha.slice(0, 7)}`
        )
  )
  if (failed) process.exitCode = 1
}

async function run(
  world: DemoWorld,
  title: string,
  bundle: BundleName,
  runId: string,
  inputs: Record<string, string>,
  state?: Record<string, string>
): Promise<LaunchResult> {
  console.log(`\n${bold(title)}`)
  if (!state) console.log(dim(`  uses: org/promote-action/${bundle}@v1  with: ${JSON.stringify(inputs)}`))
  const prefix = title.slice(0, title.indexOf(']') + 1)
  return launchAction({
    bundle,
    cwd: world.workspace,
    inputs: { ...runInputs(world), ...inputs },
    env: runEnv(world, runId, inputs['sha'] ?? SHA.release),
    ...(state ? { state } : {}),
    onLine: (line) => {
      const shown = renderRunnerLine(line)
      if (shown !== undefined) console.log(`  ${dim(prefix)}${shown}`)
    }
  })
}

function runInputs(world: DemoWorld): Record<string, string> {
  return {
    'github-token': world.github.token,
    kubeconfig: world.kubernetes.kubeconfig(),
    config: '.github/promotion.yml'
  }
}

/** Each workflow run is its own: the lock's holder names it. */
function runEnv(world: DemoWorld, runId: string, sha: string): Record<string, string> {
  return {
    GITHUB_API_URL: world.github.url,
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_SHA: sha,
    GITHUB_RUN_ID: runId
  }
}
