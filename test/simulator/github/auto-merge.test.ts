import { describe, expect, it } from '@jest/globals'
import { git, useGitHubEmulator, type Octokit } from './emulator-fixture.js'
import type { GitHubEmulator } from '../../../simulator/github/index.js'

const ENABLE = `
  mutation EnableAutoMerge($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod) {
    enablePullRequestAutoMerge(input: { pullRequestId: $pullRequestId, mergeMethod: $mergeMethod }) {
      pullRequest {
        number
        state
        mergeStateStatus
        autoMergeRequest { enabledAt mergeMethod enabledBy { login } }
      }
    }
  }`

const DISABLE = `
  mutation($pullRequestId: ID!) {
    disablePullRequestAutoMerge(input: { pullRequestId: $pullRequestId }) {
      pullRequest { autoMergeRequest { mergeMethod } }
    }
  }`

interface EnableResult {
  enablePullRequestAutoMerge: {
    pullRequest: {
      number: number
      state: string
      mergeStateStatus: string
      autoMergeRequest: { enabledAt: string; mergeMethod: string; enabledBy: { login: string } } | null
    }
  }
}

describe('GitHub emulator: auto-merge through GraphQL', () => {
  const fixture = useGitHubEmulator()

  async function openPull(github: GitHubEmulator, octokit: Octokit) {
    github.createBranch('promote/prod')
    github.putFile('envs/prod.yaml', 'tag: 2\n', { branch: 'promote/prod' })
    const pull = await octokit.rest.pulls.create({
      owner: github.owner,
      repo: github.repo,
      title: 'Promote tag 2',
      head: 'promote/prod',
      base: 'main'
    })
    return pull.data
  }

  it('fails as GitHub does on a repository that does not allow auto-merge', async () => {
    const { github, octokit } = fixture
    const pull = await openPull(github, octokit)
    github.setRequiredChecks('main', ['ci'])

    await expect(octokit.graphql(ENABLE, { pullRequestId: pull.node_id })).rejects.toMatchObject({
      errors: [
        {
          type: 'UNPROCESSABLE',
          path: ['enablePullRequestAutoMerge'],
          message: 'Auto merge is not allowed for this repository'
        }
      ],
      data: { enablePullRequestAutoMerge: null }
    })
    expect(github.state.pullRequests[0]?.auto_merge).toBeNull()
  })

  it('merges the pull request once the required checks on its head complete', async () => {
    const { github, octokit } = fixture
    const { owner, repo } = github
    github.setRepositorySettings({ allow_auto_merge: true })
    github.setRequiredChecks('main', ['ci/build', 'ci/test'])
    const pull = await openPull(github, octokit)
    github.addCheckRun({ head_sha: pull.head.sha, name: 'ci/build', status: 'in_progress' })

    const enabled = await octokit.graphql<EnableResult>(ENABLE, {
      pullRequestId: pull.node_id,
      mergeMethod: 'SQUASH'
    })
    expect(enabled.enablePullRequestAutoMerge.pullRequest).toEqual({
      number: pull.number,
      state: 'OPEN',
      mergeStateStatus: 'BLOCKED',
      autoMergeRequest: {
        enabledAt: expect.any(String),
        mergeMethod: 'SQUASH',
        enabledBy: { login: 'github-actions[bot]' }
      }
    })
    const rest = await octokit.rest.pulls.get({ owner, repo, pull_number: pull.number })
    expect(rest.data).toMatchObject({
      state: 'open',
      mergeable_state: 'blocked',
      auto_merge: { merge_method: 'squash' }
    })

    github.completeChecks(pull.head.sha, { names: ['ci/build'] })
    expect(github.state.pullRequests[0]?.merged).toBe(false)
    github.completeChecks('promote/prod')

    const merged = await octokit.rest.pulls.get({ owner, repo, pull_number: pull.number })
    expect(merged.data).toMatchObject({ state: 'closed', merged: true })
    expect(git(github, 'log', '-1', '--format=%s', 'main')).toBe(`Promote tag 2 (#${pull.number})`)
    expect(git(github, 'show', 'main:envs/prod.yaml')).toBe('tag: 2')
  })

  it('refuses to enable auto-merge on a pull request that could merge right now, as GitHub does', async () => {
    const { github, octokit } = fixture
    github.setRepositorySettings({ allow_auto_merge: true })
    const pull = await openPull(github, octokit)

    await expect(octokit.graphql(ENABLE, { pullRequestId: pull.node_id })).rejects.toMatchObject({
      errors: [{ type: 'UNPROCESSABLE', message: 'Pull request Pull request is in clean status' }]
    })
    expect(github.state.pullRequests[0]).toMatchObject({ state: 'open', auto_merge: null })
  })

  it('turns auto-merge off again, and answers NOT_FOUND for an unknown pull request id', async () => {
    const { github, octokit } = fixture
    github.setRepositorySettings({ allow_auto_merge: true })
    github.setRequiredChecks('main', ['ci'])
    const pull = await openPull(github, octokit)
    await octokit.graphql(ENABLE, { pullRequestId: pull.node_id })

    const disabled = await octokit.graphql<{
      disablePullRequestAutoMerge: { pullRequest: { autoMergeRequest: null } }
    }>(DISABLE, { pullRequestId: pull.node_id })
    github.completeChecks(pull.head.sha)

    expect(disabled.disablePullRequestAutoMerge.pullRequest.autoMergeRequest).toBeNull()
    expect(github.state.pullRequests[0]).toMatchObject({ state: 'open', merged: false })
    await expect(octokit.graphql(DISABLE, { pullRequestId: 'PR_nope' })).rejects.toMatchObject({
      errors: [{ type: 'NOT_FOUND', message: "Could not resolve to a node with the global id of 'PR_nope'" }]
    })
  })

  it("validates queries against GitHub's GraphQL schema and records a mismatch", async () => {
    const { github, octokit } = fixture
    const pull = await openPull(github, octokit)

    await expect(
      octokit.graphql(
        `mutation { enablePullRequestAutoMerge(input: { pullRequestId: "${pull.node_id}", mergeStrategy: SQUASH }) { clientMutationId } }`
      )
    ).rejects.toMatchObject({ errors: [{ message: expect.stringContaining('mergeStrategy') }] })

    expect(github.takeViolations()).toEqual([
      expect.stringMatching(/^POST \/graphql: graphql: .*mergeStrategy/)
    ])
    expect(github.state.pullRequests[0]?.auto_merge).toBeNull()
  })

  it('reads a pull request by number through the repository query', async () => {
    const { github, octokit } = fixture
    const pull = await openPull(github, octokit)

    const result = await octokit.graphql<{
      repository: {
        autoMergeAllowed: boolean
        pullRequest: { id: string; headRefOid: string; mergeable: string }
      }
    }>(
      `query($owner: String!, $name: String!, $number: Int!) {
        repository(owner: $owner, name: $name) {
          autoMergeAllowed
          pullRequest(number: $number) { id headRefOid mergeable }
        }
      }`,
      { owner: github.owner, name: github.repo, number: pull.number }
    )

    expect(result.repository).toEqual({
      autoMergeAllowed: false,
      pullRequest: { id: pull.node_id, headRefOid: pull.head.sha, mergeable: 'MERGEABLE' }
    })
  })

  it('answers FORBIDDEN when a permission denial covers /graphql', async () => {
    const { github, octokit } = fixture
    github.setRepositorySettings({ allow_auto_merge: true })
    github.setRequiredChecks('main', ['ci'])
    const pull = await openPull(github, octokit)
    github.denyPermission({ pathPattern: '/graphql' })

    await expect(octokit.graphql(ENABLE, { pullRequestId: pull.node_id })).rejects.toMatchObject({
      errors: [{ type: 'FORBIDDEN', message: 'Resource not accessible by integration' }]
    })
    expect(github.state.pullRequests[0]?.auto_merge).toBeNull()
  })
})
