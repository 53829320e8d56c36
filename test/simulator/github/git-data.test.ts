import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { useGitHubEmulator } from './emulator-fixture.js'

describe('GitHub emulator: git data and pull requests', () => {
  const fixture = useGitHubEmulator()

  it('opens a promotion pull request from a branch built with blobs, trees, commits and refs', async () => {
    const { github, octokit } = fixture
    const { owner, repo } = github
    const main = await octokit.rest.git.getRef({ owner, repo, ref: 'heads/main' })
    const base = await octokit.rest.git.getCommit({ owner, repo, commit_sha: main.data.object.sha })

    const blob = await octokit.rest.git.createBlob({
      owner,
      repo,
      content: Buffer.from('image: app:1.4.0\n').toString('base64'),
      encoding: 'base64'
    })
    const tree = await octokit.rest.git.createTree({
      owner,
      repo,
      base_tree: base.data.tree.sha,
      tree: [
        { path: 'environments/production/values.yaml', mode: '100644', type: 'blob', sha: blob.data.sha },
        {
          path: 'environments/production/NOTES.md',
          mode: '100644',
          type: 'blob',
          content: 'promoted by the action\n'
        }
      ]
    })
    const commit = await octokit.rest.git.createCommit({
      owner,
      repo,
      message: 'Promote app 1.4.0 to production',
      tree: tree.data.sha,
      parents: [base.data.sha]
    })
    const ref = await octokit.rest.git.createRef({
      owner,
      repo,
      ref: 'refs/heads/promote/production-1.4.0',
      sha: commit.data.sha
    })
    const pull = await octokit.rest.pulls.create({
      owner,
      repo,
      title: 'Promote app 1.4.0 to production',
      head: 'promote/production-1.4.0',
      base: 'main',
      body: 'Automated promotion'
    })

    expect(tree.data.tree.map((entry) => [entry.path, entry.type])).toEqual([
      ['README.md', 'blob'],
      ['environments', 'tree']
    ])
    expect(ref.data).toMatchObject({
      ref: 'refs/heads/promote/production-1.4.0',
      object: { sha: commit.data.sha, type: 'commit' }
    })
    expect(pull.status).toBe(201)
    expect(pull.data).toMatchObject({
      number: 1,
      state: 'open',
      head: {
        ref: 'promote/production-1.4.0',
        sha: commit.data.sha,
        label: `${owner}:promote/production-1.4.0`
      },
      base: { ref: 'main', sha: main.data.object.sha },
      commits: 1,
      changed_files: 2,
      merged: false
    })
    expect(github.state.contents['promote/production-1.4.0']).toEqual({
      'README.md': `# ${repo}\n`,
      'environments/production/NOTES.md': 'promoted by the action\n',
      'environments/production/values.yaml': 'image: app:1.4.0\n'
    })
    const listed = await octokit.rest.pulls.list({ owner, repo, head: `${owner}:promote/production-1.4.0` })
    expect(listed.data.map((item) => item.number)).toEqual([1])
    const fetched = await octokit.rest.pulls.get({ owner, repo, pull_number: 1 })
    expect(fetched.data.title).toBe('Promote app 1.4.0 to production')
  })

  it('computes the same object ids as git', async () => {
    const { github, octokit } = fixture
    const blob = await octokit.rest.git.createBlob({
      owner: github.owner,
      repo: github.repo,
      content: 'hello\n'
    })
    const fromGit = execFileSync('git', ['hash-object', '--stdin'], { input: 'hello\n' }).toString().trim()
    expect(blob.data.sha).toBe(fromGit)

    const read = await octokit.rest.git.getBlob({
      owner: github.owner,
      repo: github.repo,
      file_sha: blob.data.sha
    })
    expect(read.data).toMatchObject({ encoding: 'base64', size: 6 })
    expect(Buffer.from(read.data.content, 'base64').toString()).toBe('hello\n')
  })

  it('moves a branch forward, and refuses a non-fast-forward update unless forced', async () => {
    const { github, octokit } = fixture
    const { owner, repo } = github
    const start = github.state.refs['refs/heads/main'] as string
    github.createBranch('feature')
    const ahead = github.putFile('a.txt', 'a\n', { branch: 'feature' })

    const forward = await octokit.rest.git.updateRef({ owner, repo, ref: 'heads/main', sha: ahead })
    expect(forward.data.object.sha).toBe(ahead)

    await expect(
      octokit.rest.git.updateRef({ owner, repo, ref: 'heads/main', sha: start })
    ).rejects.toMatchObject({
      status: 422,
      response: { data: { message: 'Update is not a fast forward' } }
    })
    await octokit.rest.git.updateRef({ owner, repo, ref: 'heads/main', sha: start, force: true })
    expect(github.state.refs['refs/heads/main']).toBe(start)
  })

  it('refuses refs that are badly named, already exist, or point at unknown commits', async () => {
    const { github, octokit } = fixture
    const { owner, repo } = github
    const sha = github.state.refs['refs/heads/main'] as string
    const create = (ref: string, target: string) =>
      octokit.rest.git.createRef({ owner, repo, ref, sha: target })

    await expect(create('heads/x', sha)).rejects.toMatchObject({ status: 422 })
    await expect(create('refs/heads/main', sha)).rejects.toMatchObject({
      response: { data: { message: 'Reference already exists' } }
    })
    await expect(create('refs/heads/x', 'f'.repeat(40))).rejects.toMatchObject({
      response: { data: { message: 'Object does not exist' } }
    })
    await expect(octokit.rest.git.getRef({ owner, repo, ref: 'heads/missing' })).rejects.toMatchObject({
      status: 404
    })
  })

  it('refuses a pull request with no commits between the branches, or a second one for the same head', async () => {
    const { github, octokit } = fixture
    const { owner, repo } = github
    github.createBranch('empty')
    await expect(
      octokit.rest.pulls.create({ owner, repo, title: 't', head: 'empty', base: 'main' })
    ).rejects.toMatchObject({
      status: 422,
      response: { data: { errors: [{ message: 'No commits between main and empty' }] } }
    })

    github.createBranch('change')
    github.putFile('x.txt', 'x\n', { branch: 'change' })
    await octokit.rest.pulls.create({ owner, repo, title: 'first', head: 'change', base: 'main' })
    await expect(
      octokit.rest.pulls.create({ owner, repo, title: 'second', head: 'change', base: 'main' })
    ).rejects.toMatchObject({
      status: 422,
      response: { data: { errors: [{ message: `A pull request already exists for ${owner}:change.` }] } }
    })
  })

  it('moves an open pull request head when its branch gets a new commit', async () => {
    const { github, octokit } = fixture
    github.createBranch('change')
    github.putFile('x.txt', '1\n', { branch: 'change' })
    await octokit.rest.pulls.create({
      owner: github.owner,
      repo: github.repo,
      title: 'change',
      head: 'change',
      base: 'main'
    })
    const next = github.putFile('x.txt', '2\n', { branch: 'change' })

    const pull = await octokit.rest.pulls.get({ owner: github.owner, repo: github.repo, pull_number: 1 })

    expect(pull.data.head.sha).toBe(next)
    expect(pull.data.commits).toBe(2)
  })
})
