import { describe, expect, it } from '@jest/globals'
import { SHA_A, SHA_B, useGitHubEmulator } from './emulator-fixture.js'

describe('GitHub emulator: check runs', () => {
  const fixture = useGitHubEmulator()

  it('creates a check run, updates it by id to a conclusion, and reads it back completed', async () => {
    const { github, octokit } = fixture
    const { owner, repo } = github
    const created = await octokit.rest.checks.create({
      owner,
      repo,
      name: 'promotion gate',
      head_sha: SHA_A,
      status: 'in_progress',
      external_id: 'run-1',
      output: { title: 'Checking', summary: 'Gates are running' }
    })
    expect(created.status).toBe(201)
    expect(created.data).toMatchObject({
      status: 'in_progress',
      conclusion: null,
      completed_at: null,
      app: { slug: 'github-actions' },
      output: { title: 'Checking', summary: 'Gates are running', annotations_count: 0 }
    })

    await octokit.rest.checks.update({
      owner,
      repo,
      check_run_id: created.data.id,
      conclusion: 'failure',
      output: {
        summary: 'One gate failed',
        annotations: [
          {
            path: 'promotion.yml',
            start_line: 3,
            end_line: 3,
            annotation_level: 'failure',
            message: 'soak too short'
          }
        ]
      }
    })

    const fetched = await octokit.rest.checks.get({ owner, repo, check_run_id: created.data.id })
    expect(fetched.data).toMatchObject({
      status: 'completed',
      conclusion: 'failure',
      completed_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      output: { title: 'Checking', summary: 'One gate failed', annotations_count: 1 }
    })
  })

  it('lists only the newest run per name by default, and every run with filter=all, after a re-run', async () => {
    const { github, octokit } = fixture
    const { owner, repo } = github
    const firstAttempt = github.addCheckRun({ head_sha: SHA_A, name: 'e2e', conclusion: 'failure' })
    github.addCheckRun({ head_sha: SHA_A, name: 'lint', conclusion: 'success' })
    const rerun = await octokit.rest.checks.create({ owner, repo, name: 'e2e', head_sha: SHA_A })
    github.addCheckRun({ head_sha: SHA_B, name: 'e2e', conclusion: 'success' })

    const latest = await octokit.rest.checks.listForRef({ owner, repo, ref: SHA_A })
    expect(latest.data.total_count).toBe(2)
    expect(latest.data.check_runs.map((run) => [run.name, run.status])).toEqual([
      ['e2e', 'queued'],
      ['lint', 'completed']
    ])
    expect(latest.data.check_runs[0]?.id).toBe(rerun.data.id)

    const all = await octokit.rest.checks.listForRef({
      owner,
      repo,
      ref: SHA_A,
      filter: 'all',
      check_name: 'e2e'
    })
    expect(all.data.check_runs.map((run) => run.id)).toEqual([rerun.data.id, firstAttempt.id])

    const completed = await octokit.rest.checks.listForRef({ owner, repo, ref: SHA_A, status: 'completed' })
    expect(completed.data.check_runs.map((run) => run.name)).toEqual(['lint'])
  })

  it('keeps the newest run per app, so two apps reporting the same name both show', async () => {
    const { github, octokit } = fixture
    github.addCheckRun({ head_sha: SHA_A, name: 'security', conclusion: 'success', app_slug: 'scanner-one' })
    github.addCheckRun({ head_sha: SHA_A, name: 'security', conclusion: 'failure', app_slug: 'scanner-two' })

    const latest = await octokit.rest.checks.listForRef({
      owner: github.owner,
      repo: github.repo,
      ref: SHA_A
    })

    expect(latest.data.check_runs.map((run) => [run.app?.slug, run.conclusion])).toEqual([
      ['scanner-two', 'failure'],
      ['scanner-one', 'success']
    ])
  })

  it('resolves a branch name to its head commit', async () => {
    const { github, octokit } = fixture
    const head = github.state.refs['refs/heads/main'] as string
    github.addCheckRun({ head_sha: head, name: 'build', conclusion: 'success' })

    const runs = await octokit.rest.checks.listForRef({ owner: github.owner, repo: github.repo, ref: 'main' })

    expect(runs.data.check_runs.map((run) => run.head_sha)).toEqual([head])
  })

  it('pages through more than 100 check runs with Link headers that octokit.paginate follows', async () => {
    const { github, octokit } = fixture
    for (let index = 0; index < 205; index++)
      github.addCheckRun({ head_sha: SHA_A, name: `check-${index}`, conclusion: 'success' })

    const runs = await octokit.paginate(octokit.rest.checks.listForRef, {
      owner: github.owner,
      repo: github.repo,
      ref: SHA_A,
      per_page: 100
    })

    expect(runs).toHaveLength(205)
    expect(new Set(runs.map((run) => run.name)).size).toBe(205)
    const pageRequests = github.requests.filter((request) => request.operationId === 'checks/list-for-ref')
    expect(pageRequests.map((request) => request.query.page ?? '1')).toEqual(['1', '2', '3'])
  })

  it('caps per_page at 100 and names the next and last pages in the Link header', async () => {
    const { github, octokit } = fixture
    for (let index = 0; index < 250; index++)
      github.addCheckRun({ head_sha: SHA_A, name: `check-${index}`, conclusion: 'success' })

    const first = await octokit.rest.checks.listForRef({
      owner: github.owner,
      repo: github.repo,
      ref: SHA_A,
      per_page: 500
    })

    expect(first.data.check_runs).toHaveLength(100)
    expect(first.data.total_count).toBe(250)
    const base = `${github.url}/repos/${github.owner}/${github.repo}/commits/${SHA_A}/check-runs`
    expect(first.headers.link).toBe(
      `<${base}?per_page=100&page=2>; rel="next", <${base}?per_page=100&page=3>; rel="last"`
    )
  })
})
