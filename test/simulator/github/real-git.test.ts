import { describe, expect, it } from '@jest/globals'
import { existsSync } from 'node:fs'
import { startGitHubEmulator } from '../../../simulator/github/index.js'
import { git, useGitHubEmulator } from './emulator-fixture.js'

describe('GitHub emulator: a real git repository behind the API', () => {
  const fixture = useGitHubEmulator()

  it('commits several files through blobs, trees, commits and a ref update that git itself can read', async () => {
    const { github, octokit } = fixture
    const { owner, repo } = github
    const main = await octokit.rest.git.getRef({ owner, repo, ref: 'heads/main' })
    const base = await octokit.rest.git.getCommit({ owner, repo, commit_sha: main.data.object.sha })
    const blob = await octokit.rest.git.createBlob({ owner, repo, content: 'image: app:2\n' })
    const tree = await octokit.rest.git.createTree({
      owner,
      repo,
      base_tree: base.data.tree.sha,
      tree: [
        { path: 'envs/prod/values.yaml', mode: '100644', type: 'blob', sha: blob.data.sha },
        { path: 'envs/prod/kustomization.yaml', mode: '100644', type: 'blob', content: 'resources: []\n' },
        { path: 'README.md', mode: '100644', type: 'blob', sha: null }
      ]
    })
    const commit = await octokit.rest.git.createCommit({
      owner,
      repo,
      message: 'Promote app 2 to prod',
      tree: tree.data.sha,
      parents: [base.data.sha],
      author: { name: 'Release Bot', email: 'release@example.com', date: '2024-03-01T12:00:00Z' }
    })
    await octokit.rest.git.updateRef({ owner, repo, ref: 'heads/main', sha: commit.data.sha })

    expect(git(github, 'rev-parse', 'main')).toBe(commit.data.sha)
    expect(git(github, 'show', 'main:envs/prod/values.yaml')).toBe('image: app:2')
    expect(git(github, 'ls-tree', '-r', '--name-only', 'main').split('\n')).toEqual([
      'envs/prod/kustomization.yaml',
      'envs/prod/values.yaml'
    ])
    expect(git(github, 'log', '--format=%an <%ae> %aI|%s', 'main').split('\n')).toEqual([
      'Release Bot <release@example.com> 2024-03-01T12:00:00+00:00|Promote app 2 to prod',
      `${owner} <${owner}@users.noreply.github.com> 2024-01-15T10:00:00+00:00|Initial commit`
    ])
    expect(commit.data.author).toEqual({
      name: 'Release Bot',
      email: 'release@example.com',
      date: '2024-03-01T12:00:00Z'
    })
  })

  it('refuses a non-fast-forward ref update, leaving the branch where git has it', async () => {
    const { github, octokit } = fixture
    const { owner, repo } = github
    github.createBranch('side')
    const side = github.putFile('side.txt', 'side\n', { branch: 'side' })
    const ahead = github.putFile('main.txt', 'main\n')

    await expect(
      octokit.rest.git.updateRef({ owner, repo, ref: 'heads/main', sha: side })
    ).rejects.toMatchObject({ status: 422, response: { data: { message: 'Update is not a fast forward' } } })

    expect(git(github, 'rev-parse', 'refs/heads/main')).toBe(ahead)
    expect(git(github, 'log', '--format=%s', 'main').split('\n')).toEqual([
      'Update main.txt',
      'Initial commit'
    ])
  })

  it('dates commits made without a date a minute apart from 2024-01-15, so shas repeat across runs', async () => {
    const shas: string[] = []
    for (let run = 0; run < 2; run++) {
      const github = await startGitHubEmulator({ owner: 'acme', repo: 'shop' })
      try {
        shas.push(github.putFile('VERSION', '1\n'))
        expect(git(github, 'log', '-1', '--format=%aI %cI', 'main')).toBe(
          '2024-01-15T10:01:00+00:00 2024-01-15T10:01:00+00:00'
        )
      } finally {
        await github.close()
      }
    }
    expect(shas[0]).toBe(shas[1])
  })

  it('lists git objects in state and removes the repository on close', async () => {
    const github = await startGitHubEmulator()
    const sha = github.putFile('a/b.txt', 'b\n')
    expect(Object.keys(github.state.commits)).toHaveLength(2)
    expect(github.state.commits[sha]?.parents).toHaveLength(1)
    expect(
      Object.values(github.state.blobs)
        .map((blob) => Buffer.from(blob.content, 'base64').toString())
        .sort()
    ).toEqual(['# octo-service\n', 'b\n'])
    expect(existsSync(github.gitDir)).toBe(true)

    await github.close()

    expect(existsSync(github.gitDir)).toBe(false)
  })
})
