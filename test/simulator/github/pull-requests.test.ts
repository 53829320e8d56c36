import { describe, expect, it } from '@jest/globals'
import { git, useGitHubEmulator, type Octokit } from './emulator-fixture.js'
import type { GitHubEmulator } from '../../../simulator/github/index.js'

describe('GitHub emulator: merging, closing and commenting on pull requests', () => {
  const fixture = useGitHubEmulator()

  /** A pull request from `branch` changing `path`, with main moved on meanwhile unless `baseMoves` is false. */
  async function openPull(
    github: GitHubEmulator,
    octokit: Octokit,
    branch: string,
    path: string,
    options: { baseMoves?: boolean; commits?: number } = {}
  ) {
    github.createBranch(branch)
    for (let index = 1; index <= (options.commits ?? 1); index++)
      github.putFile(path, `${index}\n`, { branch, message: `${branch} step ${index}` })
    if (options.baseMoves !== false)
      github.putFile(`main-${branch}.txt`, 'main\n', { message: 'Meanwhile on main' })
    const pull = await octokit.rest.pulls.create({
      owner: github.owner,
      repo: github.repo,
      title: `Promote ${branch}`,
      head: branch,
      base: 'main'
    })
    return pull.data
  }

  it('merges with a real merge commit on the base branch and marks the pull request merged', async () => {
    const { github, octokit } = fixture
    const { owner, repo } = github
    const pull = await openPull(github, octokit, 'promote/prod', 'envs/prod.yaml')
    const baseBefore = git(github, 'rev-parse', 'main')

    const merge = await octokit.rest.pulls.merge({
      owner,
      repo,
      pull_number: pull.number,
      sha: pull.head.sha
    })

    expect(merge.data).toEqual({
      sha: merge.data.sha,
      merged: true,
      message: 'Pull Request successfully merged'
    })
    expect(git(github, 'rev-parse', 'main')).toBe(merge.data.sha)
    expect(git(github, 'log', '-1', '--format=%P|%s|%b|%cn <%ce>', 'main')).toBe(
      `${baseBefore} ${pull.head.sha}|Merge pull request #${pull.number} from ${owner}/promote/prod|Promote promote/prod|GitHub <noreply@github.com>`
    )
    expect(git(github, 'show', 'main:envs/prod.yaml')).toBe('1')
    expect(git(github, 'show', 'main:main-promote/prod.txt')).toBe('main')
    const fetched = await octokit.rest.pulls.get({ owner, repo, pull_number: pull.number })
    expect(fetched.data).toMatchObject({
      state: 'closed',
      merged: true,
      merge_commit_sha: merge.data.sha,
      merged_by: { login: 'github-actions[bot]' },
      merged_at: expect.any(String)
    })
    await expect(octokit.rest.pulls.merge({ owner, repo, pull_number: pull.number })).rejects.toMatchObject({
      status: 405,
      response: { data: { message: 'Pull Request is not mergeable' } }
    })
  })

  it('squashes into one commit with one parent, or rebases each commit onto the base', async () => {
    const { github, octokit } = fixture
    const { owner, repo } = github
    const squashed = await openPull(github, octokit, 'squash-me', 'a.txt', { commits: 2 })
    const squash = await octokit.rest.pulls.merge({
      owner,
      repo,
      pull_number: squashed.number,
      merge_method: 'squash'
    })
    expect(git(github, 'log', '-1', '--format=%P|%s', 'main')).toBe(
      `${git(github, 'rev-parse', 'main~1')}|Promote squash-me (#${squashed.number})`
    )
    expect(git(github, 'log', '-1', '--format=%b', squash.data.sha)).toBe(
      '* squash-me step 1\n\n* squash-me step 2'
    )

    const rebased = await openPull(github, octokit, 'rebase-me', 'b.txt', { commits: 2 })
    const beforeRebase = git(github, 'rev-parse', 'main')
    await octokit.rest.pulls.merge({ owner, repo, pull_number: rebased.number, merge_method: 'rebase' })
    expect(git(github, 'log', '--format=%s|%cn', `${beforeRebase}..main`).split('\n')).toEqual([
      'rebase-me step 2|GitHub',
      'rebase-me step 1|GitHub'
    ])
    expect(git(github, 'rev-list', '--merges', '--count', 'main')).toBe('0')
  })

  it('answers 409 when the head moved from the given sha and 405 when the branches conflict', async () => {
    const { github, octokit } = fixture
    const { owner, repo } = github
    const pull = await openPull(github, octokit, 'conflicting', 'shared.txt', { baseMoves: false })

    await expect(
      octokit.rest.pulls.merge({
        owner,
        repo,
        pull_number: pull.number,
        sha: git(github, 'rev-parse', 'main')
      })
    ).rejects.toMatchObject({
      status: 409,
      response: { data: { message: 'Head branch was modified. Review and try the merge again.' } }
    })

    github.putFile('shared.txt', 'main says otherwise\n')
    const baseBefore = git(github, 'rev-parse', 'main')
    const fetched = await octokit.rest.pulls.get({ owner, repo, pull_number: pull.number })
    expect(fetched.data).toMatchObject({ mergeable: false, mergeable_state: 'dirty' })
    await expect(octokit.rest.pulls.merge({ owner, repo, pull_number: pull.number })).rejects.toMatchObject({
      status: 405,
      response: { data: { message: 'Pull Request is not mergeable' } }
    })
    expect(git(github, 'rev-parse', 'main')).toBe(baseBefore)
  })

  it('refuses a merge the base branch protection or the repository settings do not allow', async () => {
    const { github, octokit } = fixture
    const { owner, repo } = github
    const pull = await openPull(github, octokit, 'guarded', 'g.txt')
    github.setRequiredChecks('main', ['ci/build'])

    await expect(octokit.rest.pulls.merge({ owner, repo, pull_number: pull.number })).rejects.toMatchObject({
      status: 405,
      response: { data: { message: 'Required status check "ci/build" is expected.' } }
    })
    github.addCheckRun({ head_sha: pull.head.sha, name: 'ci/build', conclusion: 'failure' })
    await expect(octokit.rest.pulls.merge({ owner, repo, pull_number: pull.number })).rejects.toMatchObject({
      status: 405,
      response: { data: { message: 'Required status check "ci/build" is failing.' } }
    })

    github.completeChecks(pull.head.sha)
    github.setRepositorySettings({ allow_merge_commit: false })
    await expect(octokit.rest.pulls.merge({ owner, repo, pull_number: pull.number })).rejects.toMatchObject({
      status: 405,
      response: { data: { message: 'Merge commits are not allowed on this repository.' } }
    })
    const merged = await octokit.rest.pulls.merge({
      owner,
      repo,
      pull_number: pull.number,
      merge_method: 'squash'
    })
    expect(merged.data.merged).toBe(true)
  })

  it('closes a pull request with PATCH, lists it by state, and keeps comments on it', async () => {
    const { github, octokit } = fixture
    const { owner, repo } = github
    const kept = await openPull(github, octokit, 'kept', 'k.txt', { baseMoves: false })
    const dropped = await openPull(github, octokit, 'dropped', 'd.txt', { baseMoves: false })

    const closed = await octokit.rest.pulls.update({
      owner,
      repo,
      pull_number: dropped.number,
      state: 'closed'
    })
    expect(closed.data).toMatchObject({ state: 'closed', merged: false, closed_at: expect.any(String) })
    const list = async (state: 'open' | 'closed' | 'all') =>
      (await octokit.rest.pulls.list({ owner, repo, state })).data.map((pull) => pull.number)
    expect(await list('open')).toEqual([kept.number])
    expect(await list('closed')).toEqual([dropped.number])
    expect(await list('all')).toEqual([dropped.number, kept.number])

    const comment = await octokit.rest.issues.createComment({
      owner,
      repo,
      issue_number: kept.number,
      body: 'Promotion verified in staging.'
    })
    github.addIssueComment(kept.number, 'Second thoughts.')
    expect(comment.status).toBe(201)
    expect(comment.data).toMatchObject({
      body: 'Promotion verified in staging.',
      user: { login: 'github-actions[bot]' },
      issue_url: kept.issue_url
    })
    const comments = await octokit.rest.issues.listComments({ owner, repo, issue_number: kept.number })
    expect(comments.data.map((item) => item.body)).toEqual([
      'Promotion verified in staging.',
      'Second thoughts.'
    ])
    expect((await octokit.rest.pulls.get({ owner, repo, pull_number: kept.number })).data.comments).toBe(2)
    await expect(
      octokit.rest.issues.createComment({ owner, repo, issue_number: 999, body: 'nobody home' })
    ).rejects.toMatchObject({ status: 404 })
  })

  it('reports the repository settings merging obeys', async () => {
    const { github, octokit } = fixture
    github.setRepositorySettings({ allow_auto_merge: true, delete_branch_on_merge: true })

    const repository = await octokit.rest.repos.get({ owner: github.owner, repo: github.repo })

    expect(repository.data).toMatchObject({
      full_name: `${github.owner}/${github.repo}`,
      default_branch: 'main',
      allow_auto_merge: true,
      allow_merge_commit: true,
      delete_branch_on_merge: true
    })
  })
})
