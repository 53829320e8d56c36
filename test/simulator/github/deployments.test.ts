import { describe, expect, it } from '@jest/globals'
import { SHA_A, SHA_B, useGitHubEmulator } from './emulator-fixture.js'

describe('GitHub emulator: deployments', () => {
  const fixture = useGitHubEmulator()

  it('records a deployment and its statuses, listing statuses newest first', async () => {
    const { github, octokit } = fixture
    const { owner, repo } = github
    const created = await octokit.rest.repos.createDeployment({
      owner,
      repo,
      ref: 'main',
      environment: 'staging',
      auto_merge: false,
      required_contexts: [],
      payload: { image: 'registry.example/app:1.2.3' },
      description: 'promote 1.2.3'
    })
    expect(created.status).toBe(201)
    const deployment = created.data as { id: number }
    expect(created.data).toMatchObject({
      ref: 'main',
      sha: github.state.refs['refs/heads/main'],
      environment: 'staging',
      task: 'deploy',
      production_environment: false,
      transient_environment: false,
      payload: { image: 'registry.example/app:1.2.3' },
      creator: { login: 'github-actions[bot]' },
      statuses_url: `${github.url}/repos/${owner}/${repo}/deployments/${deployment.id}/statuses`
    })

    await octokit.rest.repos.createDeploymentStatus({
      owner,
      repo,
      deployment_id: deployment.id,
      state: 'in_progress'
    })
    await octokit.rest.repos.createDeploymentStatus({
      owner,
      repo,
      deployment_id: deployment.id,
      state: 'success',
      log_url: 'https://ci.example/run/7',
      environment_url: 'https://staging.example'
    })

    const statuses = await octokit.rest.repos.listDeploymentStatuses({
      owner,
      repo,
      deployment_id: deployment.id
    })
    expect(statuses.data.map((status) => status.state)).toEqual(['success', 'in_progress'])
    expect(statuses.data[0]).toMatchObject({
      log_url: 'https://ci.example/run/7',
      target_url: 'https://ci.example/run/7',
      environment_url: 'https://staging.example',
      environment: 'staging'
    })
    expect(statuses.data[1]).toMatchObject({ log_url: '', environment_url: '' })
    const fetched = await octokit.rest.repos.getDeployment({ owner, repo, deployment_id: deployment.id })
    expect(fetched.data.id).toBe(deployment.id)
  })

  it('marks the earlier successful deployment to the same environment inactive when a new one succeeds', async () => {
    const { github, octokit } = fixture
    const { owner, repo } = github
    const previous = github.addDeployment({
      environment: 'staging',
      sha: SHA_A,
      statuses: [{ state: 'success' }]
    })
    const production = github.addDeployment({
      environment: 'production',
      sha: SHA_A,
      statuses: [{ state: 'success' }]
    })
    const current = github.addDeployment({ environment: 'staging', sha: SHA_B })

    await octokit.rest.repos.createDeploymentStatus({
      owner,
      repo,
      deployment_id: current.id,
      state: 'success'
    })

    const newestState = (id: number): string | undefined => github.state.deploymentStatuses[id]?.at(-1)?.state
    expect(newestState(previous.id)).toBe('inactive')
    expect(newestState(production.id)).toBe('success')
    expect(newestState(current.id)).toBe('success')
  })

  it('leaves earlier deployments alone when auto_inactive is false', async () => {
    const { github, octokit } = fixture
    const previous = github.addDeployment({
      environment: 'staging',
      sha: SHA_A,
      statuses: [{ state: 'success' }]
    })
    const current = github.addDeployment({ environment: 'staging', sha: SHA_B })

    await octokit.rest.repos.createDeploymentStatus({
      owner: github.owner,
      repo: github.repo,
      deployment_id: current.id,
      state: 'success',
      auto_inactive: false
    })

    expect(github.state.deploymentStatuses[previous.id]?.map((status) => status.state)).toEqual(['success'])
  })

  it('lists deployments newest first, filtered by environment, sha and task', async () => {
    const { github, octokit } = fixture
    const first = github.addDeployment({ environment: 'staging', sha: SHA_A })
    github.addDeployment({ environment: 'production', sha: SHA_A })
    const third = github.addDeployment({ environment: 'staging', sha: SHA_B })
    github.addDeployment({ environment: 'staging', sha: SHA_B, task: 'deploy:migrations' })
    const list = (query: { environment?: string; sha?: string; task?: string }) =>
      octokit.rest.repos
        .listDeployments({ owner: github.owner, repo: github.repo, ...query })
        .then((response) => response.data.map((deployment) => deployment.id))

    expect(await list({ environment: 'staging', task: 'deploy' })).toEqual([third.id, first.id])
    expect(await list({ environment: 'staging', sha: SHA_A })).toEqual([first.id])
    expect(await list({})).toHaveLength(4)
  })

  it('refuses with 409 when required_contexts is omitted and a check on the commit failed', async () => {
    const { github, octokit } = fixture
    const sha = github.state.refs['refs/heads/main'] as string
    github.addCheckRun({ head_sha: sha, name: 'unit', conclusion: 'failure' })
    github.addCommitStatus(sha, { context: 'lint', state: 'success' })

    const refused = octokit.rest.repos.createDeployment({
      owner: github.owner,
      repo: github.repo,
      ref: 'main',
      environment: 'staging',
      auto_merge: false
    })
    await expect(refused).rejects.toMatchObject({
      status: 409,
      response: {
        data: {
          message: 'Conflict: Commit status checks failed for main.',
          errors: [
            {
              field: 'required_contexts',
              contexts: expect.arrayContaining([{ context: 'unit', state: 'failure' }])
            }
          ]
        }
      }
    })

    const allowed = await octokit.rest.repos.createDeployment({
      owner: github.owner,
      repo: github.repo,
      ref: 'main',
      environment: 'staging',
      auto_merge: false,
      required_contexts: []
    })
    expect(allowed.status).toBe(201)
  })

  it('merges the default branch into a branch behind it and answers 202 without deploying when auto_merge is left on', async () => {
    const { github, octokit } = fixture
    github.createBranch('release')
    github.putFile('values/staging.yaml', 'image: app:2\n')

    const response = await octokit.rest.repos.createDeployment({
      owner: github.owner,
      repo: github.repo,
      ref: 'release',
      environment: 'staging',
      required_contexts: []
    })

    expect(response.status).toBe(202)
    expect(response.data).toEqual({ message: 'Auto-merged main into release on deployment.' })
    expect(github.state.deployments).toEqual([])
    expect(github.state.contents.release?.['values/staging.yaml']).toBe('image: app:2\n')
  })

  it('answers 422 for a ref that does not exist and 404 for an unknown deployment', async () => {
    const { github, octokit } = fixture
    const { owner, repo } = github
    await expect(
      octokit.rest.repos.createDeployment({ owner, repo, ref: 'no-such-branch', required_contexts: [] })
    ).rejects.toMatchObject({
      status: 422,
      response: { data: { message: 'No ref found for: no-such-branch' } }
    })
    await expect(
      octokit.rest.repos.getDeployment({ owner, repo, deployment_id: 424242 })
    ).rejects.toMatchObject({
      status: 404,
      response: { data: { message: 'Not Found' } }
    })
  })

  it('refuses a deployment status description longer than 140 characters', async () => {
    const { github, octokit } = fixture
    const deployment = github.addDeployment({ environment: 'staging', sha: SHA_A })
    await expect(
      octokit.rest.repos.createDeploymentStatus({
        owner: github.owner,
        repo: github.repo,
        deployment_id: deployment.id,
        state: 'failure',
        description: 'x'.repeat(141)
      })
    ).rejects.toMatchObject({ status: 422, response: { data: { message: 'Validation Failed' } } })
  })
})
