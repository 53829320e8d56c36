import { describe, expect, it } from '@jest/globals'
import { SHA_A, SHA_B, useGitHubEmulator } from './emulator-fixture.js'

describe('GitHub emulator: commit statuses', () => {
  const fixture = useGitHubEmulator()

  it('combines the newest status of each context: failure wins, then pending, else success', async () => {
    const { github, octokit } = fixture
    const { owner, repo } = github
    const combined = async (sha: string) =>
      (await octokit.rest.repos.getCombinedStatusForRef({ owner, repo, ref: sha })).data

    expect(await combined(SHA_A)).toMatchObject({ state: 'pending', total_count: 0, statuses: [] })

    await octokit.rest.repos.createCommitStatus({
      owner,
      repo,
      sha: SHA_A,
      context: 'ci/build',
      state: 'failure'
    })
    await octokit.rest.repos.createCommitStatus({
      owner,
      repo,
      sha: SHA_A,
      context: 'ci/build',
      state: 'success'
    })
    await octokit.rest.repos.createCommitStatus({
      owner,
      repo,
      sha: SHA_A,
      context: 'ci/e2e',
      state: 'pending'
    })
    const pending = await combined(SHA_A)
    expect(pending).toMatchObject({ state: 'pending', sha: SHA_A, total_count: 2 })
    expect(pending.statuses.map((status) => [status.context, status.state])).toEqual([
      ['ci/e2e', 'pending'],
      ['ci/build', 'success']
    ])

    github.addCommitStatus(SHA_A, {
      context: 'ci/e2e',
      state: 'success',
      target_url: 'https://ci.example/e2e'
    })
    expect((await combined(SHA_A)).state).toBe('success')

    github.addCommitStatus(SHA_A, { context: 'security', state: 'error' })
    expect((await combined(SHA_A)).state).toBe('failure')
    expect((await combined(SHA_B)).state).toBe('pending')
  })

  it('lists every status on a ref, newest first, including superseded ones', async () => {
    const { github, octokit } = fixture
    github.addCommitStatus(SHA_A, { context: 'ci', state: 'pending' })
    github.addCommitStatus(SHA_A, { context: 'ci', state: 'success', description: 'all green' })

    const statuses = await octokit.rest.repos.listCommitStatusesForRef({
      owner: github.owner,
      repo: github.repo,
      ref: SHA_A
    })

    expect(statuses.data.map((status) => [status.state, status.description])).toEqual([
      ['success', 'all green'],
      ['pending', null]
    ])
    expect(statuses.data[0]?.creator?.login).toBe('github-actions[bot]')
  })
})
