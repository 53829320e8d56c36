import { describe, expect, it } from '@jest/globals'
import { git, useGitHubEmulator } from './emulator-fixture.js'

describe('GitHub emulator: comparing commits', () => {
  const fixture = useGitHubEmulator()
  const compare = (basehead: string) =>
    fixture.octokit.rest.repos.compareCommitsWithBasehead({
      owner: fixture.github.owner,
      repo: fixture.github.repo,
      basehead
    })

  it('calls a branch identical to itself and ahead once it has commits the base lacks', async () => {
    const { github } = fixture
    github.createBranch('release')
    const identical = await compare('main...release')
    expect(identical.data).toMatchObject({
      status: 'identical',
      ahead_by: 0,
      behind_by: 0,
      commits: [],
      files: []
    })

    const first = github.putFile('values.yaml', 'tag: 1\n', { branch: 'release', message: 'Tag 1' })
    const second = github.putFile('values.yaml', 'tag: 2\n', { branch: 'release', message: 'Tag 2' })
    const ahead = await compare('main...release')

    expect(ahead.data).toMatchObject({
      status: 'ahead',
      ahead_by: 2,
      behind_by: 0,
      total_commits: 2,
      merge_base_commit: { sha: git(github, 'rev-parse', 'main') },
      base_commit: { sha: git(github, 'rev-parse', 'main') },
      files: [{ filename: 'values.yaml', status: 'added', additions: 1, deletions: 0, changes: 1 }]
    })
    // Oldest first, the reverse of `git log`.
    expect(ahead.data.commits.map((commit) => commit.sha)).toEqual([first, second])
    expect(ahead.data.commits.map((commit) => commit.commit.message)).toEqual(['Tag 1', 'Tag 2'])
    expect(git(github, 'log', '--format=%H', 'main..release').split('\n')).toEqual([second, first])
  })

  it('calls the base behind when the head is its ancestor, and diverged when both have their own commits', async () => {
    const { github } = fixture
    github.createBranch('old')
    const onMain = github.putFile('main.txt', 'main\n')

    const behind = await compare('main...old')
    expect(behind.data).toMatchObject({ status: 'behind', ahead_by: 0, behind_by: 1, commits: [] })

    const onOld = github.putFile('old.txt', 'old\n', { branch: 'old' })
    const diverged = await compare(`${github.owner}:main...${github.owner}:old`)
    expect(diverged.data).toMatchObject({
      status: 'diverged',
      ahead_by: 1,
      behind_by: 1,
      merge_base_commit: { sha: git(github, 'merge-base', 'main', 'old') },
      base_commit: { sha: onMain },
      files: [{ filename: 'old.txt', status: 'added' }]
    })
    expect(diverged.data.commits.map((commit) => commit.sha)).toEqual([onOld])
  })

  it('compares commit shas as well as branches, and answers 404 for an unknown side', async () => {
    const { github } = fixture
    const before = git(github, 'rev-parse', 'main')
    const after = github.putFile('README.md', 'changed\n')

    const bySha = await compare(`${before.slice(0, 7)}...${after}`)
    expect(bySha.data).toMatchObject({
      status: 'ahead',
      ahead_by: 1,
      files: [{ filename: 'README.md', status: 'modified', additions: 1, deletions: 1 }]
    })
    await expect(compare('main...no-such-branch')).rejects.toMatchObject({ status: 404 })
  })
})
