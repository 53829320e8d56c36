import { describe, expect, it } from '@jest/globals'
import { SHA_A, useGitHubEmulator } from './emulator-fixture.js'

describe('GitHub emulator: permission denials', () => {
  const fixture = useGitHubEmulator()

  it('answers 403 "Resource not accessible by integration" naming the permission GitHub would accept', async () => {
    const { github, octokit } = fixture
    github.denyPermission({ method: 'POST', pathPattern: '/repos/{owner}/{repo}/check-runs' })

    const attempt = octokit.rest.checks.create({
      owner: github.owner,
      repo: github.repo,
      name: 'gate',
      head_sha: SHA_A
    })

    await expect(attempt).rejects.toMatchObject({
      status: 403,
      response: {
        headers: expect.objectContaining({ 'x-accepted-github-permissions': 'checks=write' }),
        data: {
          message: 'Resource not accessible by integration',
          documentation_url: expect.stringMatching(
            /^https:\/\/docs\.github\.com\/rest\/.*#create-a-check-run$/
          )
        }
      }
    })
    expect(github.state.checkRuns).toEqual([])
  })

  it('denies only the matching method and path, and lifts the rule when asked', async () => {
    const { github, octokit } = fixture
    const { owner, repo } = github
    const lift = github.denyPermission({ pathPattern: /\/code-scanning\//, status: 404 })

    await expect(octokit.rest.codeScanning.listAlertsForRepo({ owner, repo })).rejects.toMatchObject({
      status: 404
    })
    await expect(octokit.rest.checks.listForRef({ owner, repo, ref: SHA_A })).resolves.toMatchObject({
      status: 200
    })
    lift()
    await expect(octokit.rest.codeScanning.listAlertsForRepo({ owner, repo })).resolves.toMatchObject({
      status: 200
    })
  })

  it('answers 404 for another repository and for routes it does not serve', async () => {
    const { github, octokit } = fixture
    await expect(
      octokit.rest.repos.get({ owner: github.owner, repo: 'someone-elses' })
    ).rejects.toMatchObject({ status: 404 })
    await expect(
      octokit.request('GET /repos/{owner}/{repo}/releases', { owner: github.owner, repo: github.repo })
    ).rejects.toMatchObject({
      status: 404,
      response: { data: { message: 'Not Found' } }
    })
  })
})
