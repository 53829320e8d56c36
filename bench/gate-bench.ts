/**
 * Gate stage figures: GitHub requests for a run with five gates (target <= 10 plus
 * pagination), the same with 250 check runs on the SHA (pagination), and a re-run that
 * updates its check run. Runs the stage in-process through runStage against the emulator.
 */
import { SHA, startGateWorld } from '../test/stages/gate/support.js'

const CONFIG = `
environments:
  staging:
    namespace: shop-staging
    targets: [{ name: web }]
  production:
    from: staging
    namespace: shop
    targets: [{ name: web }]
    gates:
      - uses: required-checks
        with: { checks: [unit-tests, lint, typecheck, 'build-image*'] }
      - uses: upstream-deployed
      - uses: security
      - uses: approval
      - uses: concurrency
`

export async function gateFigures(): Promise<string[]> {
  const world = await startGateWorld()
  try {
    world.config(CONFIG)
    for (const name of ['unit-tests', 'lint', 'typecheck', 'build-image'])
      world.github.addCheckRun({ head_sha: SHA, name, status: 'completed', conclusion: 'success' })
    world.github.addDeployment({ environment: 'staging', sha: SHA, statuses: [{ state: 'success' }] })
    world.github.setEnvironment('production', {
      protection_rules: [{ type: 'required_reviewers', reviewers: [{ type: 'Team', slug: 'on-call' }] }]
    })

    const first = await world.run()
    const firstRequests = world.github.requests.length
    const describe = (from: number) =>
      Object.entries(
        world.github.requests.slice(from).reduce<Record<string, number>>(
          (counts, r) => ({
            ...counts,
            [r.operationId ?? r.path]: (counts[r.operationId ?? r.path] ?? 0) + 1
          }),
          {}
        )
      )
        .map(([op, n]) => `${op} x${n}`)
        .join(', ')
    const breakdown = describe(0)

    const before = world.github.requests.length
    await world.run({ env: { GITHUB_RUN_ATTEMPT: '2' } })
    const rerun = world.github.requests.length - before

    for (let i = 0; i < 246; i++)
      world.github.addCheckRun({
        head_sha: SHA,
        name: `build-image shard ${i}`,
        status: 'completed',
        conclusion: 'success'
      })
    const beforePaged = world.github.requests.length
    await world.run({ env: { GITHUB_RUN_ATTEMPT: '3' } })
    const paged = world.github.requests.length - beforePaged
    world.github.assertNoViolations()

    return [
      `five gates (required-checks, upstream-deployed, security, approval, concurrency): ${firstRequests} GitHub requests (target <= 10 plus pagination); passed=${first.io.outputs['passed']}; ${first.ms.toFixed(0)} ms`,
      `  ${breakdown}`,
      `re-run on the same SHA (check run updated, not duplicated): ${rerun} requests; own check runs on the SHA: ${world.ownCheckRuns().length}`,
      `with 250 check runs on the SHA: ${paged} requests (3 pages of check runs)`
    ]
  } finally {
    await world.close()
  }
}
