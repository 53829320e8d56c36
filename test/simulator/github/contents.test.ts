import { describe, expect, it } from '@jest/globals'
import { git, useGitHubEmulator } from './emulator-fixture.js'

describe('GitHub emulator: repository contents', () => {
  const fixture = useGitHubEmulator()
  const encode = (text: string): string => Buffer.from(text).toString('base64')

  it('creates a file with 201, updates it with its sha with 200, and reads it back', async () => {
    const { github, octokit } = fixture
    const { owner, repo } = github
    const path = 'environments/staging/values.yaml'

    const created = await octokit.rest.repos.createOrUpdateFileContents({
      owner,
      repo,
      path,
      message: 'Add staging',
      content: encode('tag: 1\n')
    })
    expect(created.status).toBe(201)
    const updated = await octokit.rest.repos.createOrUpdateFileContents({
      owner,
      repo,
      path,
      message: 'Promote tag 2 to staging',
      content: encode('tag: 2\n'),
      sha: created.data.content?.sha as string
    })
    expect(updated.status).toBe(200)
    expect(updated.data.commit.message).toBe('Promote tag 2 to staging')
    expect(github.state.refs['refs/heads/main']).toBe(updated.data.commit.sha)

    const file = await octokit.rest.repos.getContent({ owner, repo, path })
    const data = file.data as { type: string; content: string; sha: string }
    expect(data.type).toBe('file')
    expect(Buffer.from(data.content, 'base64').toString()).toBe('tag: 2\n')
    expect(github.state.contents.main?.[path]).toBe('tag: 2\n')

    const directory = await octokit.rest.repos.getContent({ owner, repo, path: 'environments' })
    expect(
      (directory.data as Array<{ name: string; type: string }>).map((entry) => [entry.name, entry.type])
    ).toEqual([['staging', 'dir']])
  })

  it('refuses to overwrite a file without its current sha (422) or with a stale one (409)', async () => {
    const { github, octokit } = fixture
    const { owner, repo } = github
    github.putFile('VERSION', '1\n')
    const put = (sha?: string) =>
      octokit.rest.repos.createOrUpdateFileContents({
        owner,
        repo,
        path: 'VERSION',
        message: 'bump',
        content: encode('2\n'),
        ...(sha ? { sha } : {})
      })

    await expect(put()).rejects.toMatchObject({
      status: 422,
      response: { data: { message: 'Invalid request.\n\n"sha" wasn\'t supplied.' } }
    })
    await expect(put('0'.repeat(40))).rejects.toMatchObject({ status: 409 })
    expect(github.state.contents.main?.VERSION).toBe('1\n')
  })

  it('reads a file at another ref and answers 404 for a missing path', async () => {
    const { github, octokit } = fixture
    const { owner, repo } = github
    github.createBranch('release')
    github.putFile('VERSION', 'release\n', { branch: 'release' })

    const atRelease = await octokit.rest.repos.getContent({ owner, repo, path: 'VERSION', ref: 'release' })
    expect(Buffer.from((atRelease.data as { content: string }).content, 'base64').toString()).toBe(
      'release\n'
    )
    await expect(octokit.rest.repos.getContent({ owner, repo, path: 'VERSION' })).rejects.toMatchObject({
      status: 404
    })
  })

  it('lets the first of two writers holding the same sha win and answers the second 409, as GitHub does', async () => {
    const { github, octokit } = fixture
    const { owner, repo } = github
    github.putFile('VERSION', '1\n')
    const read = await octokit.rest.repos.getContent({ owner, repo, path: 'VERSION' })
    const seen = (read.data as { sha: string }).sha
    const write = (content: string) =>
      octokit.rest.repos.createOrUpdateFileContents({
        owner,
        repo,
        path: 'VERSION',
        message: `VERSION ${content}`,
        content: encode(`${content}\n`),
        sha: seen
      })

    await write('2')
    await expect(write('3')).rejects.toMatchObject({
      status: 409,
      response: { data: { message: `VERSION does not match ${seen}` } }
    })

    expect(git(github, 'show', 'main:VERSION')).toBe('2')
    expect(git(github, 'log', '--format=%s', 'main').split('\n')).toEqual([
      'VERSION 2',
      'Update VERSION',
      'Initial commit'
    ])
  })
})
