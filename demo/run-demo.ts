/**
 * `npm start`: promotes shop-web from development to staging to production on the local
 * simulated environment, running the real dist/ bundles exactly as a runner launches
 * them, and shows what a user would see: log groups, annotations and job summaries.
 */
import { launchAction, type BundleName, type LaunchResult } from '../simulator/runner/launch-action.js'
import { environmentChecksChapter } from './chapters/environment-checks.js'
import { gitopsChapter } from './chapters/gitops.js'
import { rotationChapter } from './chapters/rotation.js'
import { demoConfig } from './demo-config.js'
import { imageOf, SHA, startDemoWorld, type DemoWorld } from './demo-world.js'
import { bold, cyan, dim, green, red, renderRunnerLine, renderSummary, yellow } from './render-log.js'

interface Step {
  title: string
  bundle: BundleName
  inputs: Record<string, string>
  event?: { name: string; payload: Record<string, unknown> }
  env?: Record<string, string>
  /** What the demo expects, so a regression fails `npm start` instead of scrolling past. */
  expect: 'success' | 'failure'
  summary?: boolean
  /** Put before every line of this step's log: runs that go at once interleave. */
  tag?: string
}

let runs = 0

async function runStep(world: DemoWorld, step: Step, prefix = ''): Promise<LaunchResult> {
  // Each step is its own workflow run, as on GitHub: the lock holder and the Deployment record name it.
  const runId = String(7000 + ++runs)
  console.log(`\n${bold(`${prefix}${step.title}`)}`)
  console.log(
    dim(
      `  uses: org/promote-action${step.bundle === 'main' ? '' : `/${step.bundle}`}@v1  with: ${JSON.stringify(step.inputs)}`
    )
  )
  const inputs = {
    'github-token': world.github.token,
    kubeconfig: world.kubernetes.kubeconfig(),
    config: '.github/promotion.yml',
    ...step.inputs
  }
  const env = {
    GITHUB_API_URL: world.github.url,
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_SHA: step.inputs['sha'] ?? SHA.release,
    GITHUB_RUN_ID: runId,
    ...step.env
  }
  const main = await launchAction({
    bundle: step.bundle,
    cwd: world.workspace,
    inputs,
    env,
    ...(step.event ? { event: step.event } : {}),
    onLine: (line) => {
      const shown = renderRunnerLine(line, step.tag ? `    ${step.tag} ` : undefined)
      if (shown !== undefined) console.log(shown)
    }
  })
  // The runner runs the post step of an action with `post:` after the job, with the saved state.
  if (step.bundle === 'promote' || step.bundle === 'main') {
    if (main.state['isPost'] === 'true')
      await launchAction({ bundle: step.bundle, cwd: world.workspace, inputs, env, state: main.state })
  }
  if (step.summary !== false && main.summary.trim())
    console.log(`  ${dim('job summary:')}\n${renderSummary(main.summary)}`)
  const ok = main.exitCode === 0
  console.log(
    `  ${ok ? green('✔ step succeeded') : red('✘ step failed')}${step.expect === (ok ? 'success' : 'failure') ? dim(' (as expected)') : red(' (NOT as expected)')}`
  )
  if (step.expect !== (ok ? 'success' : 'failure')) process.exitCode = 1
  return main
}

async function main(): Promise<void> {
  const world = await startDemoWorld(demoConfig)
  try {
    console.log(bold('promote-action demo: shop-web from development to staging to production'))
    console.log(
      dim(
        `  simulated Kubernetes API ${world.kubernetes.url}, GitHub API ${world.github.url}, health endpoints ${world.health.url}`
      )
    )
    console.log(dim(`  every environment runs ${imageOf(SHA.running)}; promoting ${SHA.release.slice(0, 7)}`))

    console.log(
      `\n${cyan('━━ 1. A pull request asks: could this commit reach production? (gate, report mode)')}`
    )
    world.github.addCodeScanningAlert({
      ref: 'refs/pull/7/merge',
      state: 'open',
      rule: {
        id: 'js/sql-injection',
        severity: 'error',
        security_severity_level: 'critical',
        description: 'SQL injection'
      }
    } as never)
    await runStep(world, {
      title: 'promotion gates (production) on pull request #7',
      bundle: 'gate',
      inputs: { environment: 'production', sha: SHA.next },
      event: {
        name: 'pull_request',
        payload: { pull_request: { number: 7, head: { sha: SHA.next, ref: 'feature' } } }
      },
      env: { GITHUB_REF: 'refs/pull/7/merge' },
      expect: 'success'
    })

    console.log(
      `\n${cyan('━━ 2. workflow_dispatch: promote into development, then staging (stage: all = gate, promote, verify)')}`
    )
    for (const environment of ['development', 'staging'])
      await runStep(world, {
        title: `promote ${SHA.release.slice(0, 7)} to ${environment}`,
        bundle: 'main',
        inputs: { stage: 'all', environment, sha: SHA.release },
        expect: 'success'
      })

    console.log(
      `\n${cyan('━━ 3. Two promotions to staging at once: the second waits for the lock (their logs interleave)')}`
    )
    world.kubernetes.setImageBehaviour(imageOf(SHA.next), { kind: 'ready', delayMs: 1500 })
    // Each run gates its commit first, in its own job, as the example workflow does.
    for (const sha of [SHA.next, SHA.release])
      await runStep(world, {
        title: `gates for ${sha.slice(0, 7)} into staging`,
        bundle: 'gate',
        inputs: { environment: 'staging', sha },
        expect: 'success',
        summary: false
      })
    await Promise.all([
      runStep(world, {
        title: '[run A] promote 3333333 to staging',
        bundle: 'promote',
        inputs: { environment: 'staging', sha: SHA.next },
        expect: 'success',
        summary: false,
        tag: cyan('[A]')
      }),
      new Promise((r) => setTimeout(r, 400)).then(() =>
        runStep(world, {
          title: '[run B] promote 2222222 to staging',
          bundle: 'promote',
          inputs: { environment: 'staging', sha: SHA.release },
          expect: 'success',
          summary: false,
          tag: yellow('[B]')
        })
      )
    ])
    world.kubernetes.setImageBehaviour(imageOf(SHA.next), { kind: 'ready', delayMs: 20 })
    console.log(dim(`  staging runs ${world.runningImage('shop-staging')} (run B went second)`))

    console.log(
      `\n${cyan('━━ 4. Production: gates pass, the digest staging runs is promoted, health verified')}`
    )
    await runStep(world, {
      title: 'gates before production',
      bundle: 'gate',
      inputs: { environment: 'production', sha: SHA.release },
      expect: 'success'
    })
    await runStep(world, {
      title: 'promote to production',
      bundle: 'promote',
      inputs: { environment: 'production', sha: SHA.release, 'from-upstream': 'true' },
      expect: 'success'
    })
    await runStep(world, {
      title: 'verify production',
      bundle: 'verify',
      inputs: { environment: 'production', sha: SHA.release },
      expect: 'success'
    })

    console.log(
      `\n${cyan('━━ 5. A crash-looping image fails fast in staging and is rolled back; production then refuses it')}`
    )
    await runStep(world, {
      title: `promote ${SHA.crashing.slice(0, 7)} to staging (stage: all)`,
      bundle: 'main',
      inputs: { stage: 'all', environment: 'staging', sha: SHA.crashing },
      expect: 'failure'
    })
    console.log(dim(`  staging runs ${world.runningImage('shop-staging')} again`))
    await runStep(world, {
      title: `promote ${SHA.crashing.slice(0, 7)} to production anyway`,
      bundle: 'promote',
      inputs: {
        environment: 'production',
        sha: SHA.crashing,
        image: imageOf(SHA.crashing),
        'require-gates': 'false'
      },
      expect: 'failure',
      summary: false
    })

    console.log(
      `\n${cyan('━━ 6. A misbuilt release reports the wrong version: verify fails and rolls back (stage: all)')}`
    )
    world.misbuild(SHA.next)
    await runStep(world, {
      title: `promote ${SHA.next.slice(0, 7)} to staging`,
      bundle: 'main',
      inputs: { stage: 'all', environment: 'staging', sha: SHA.next },
      expect: 'failure'
    })
    console.log(dim(`  staging runs ${world.runningImage('shop-staging')} again`))

    await gitopsChapter(world)
    await environmentChecksChapter(world)
    await rotationChapter(world)

    world.github.assertNoViolations()
    const records = world.github.state.deployments
    console.log(
      `\n${bold('GitHub Deployments recorded:')} ${records.length}; every request matched GitHub's OpenAPI description.`
    )
  } finally {
    await world.close()
  }
}

await main()
