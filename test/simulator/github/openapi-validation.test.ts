import { describe, expect, it } from '@jest/globals'
import { getOctokit } from '@actions/github'
import { readFileSync } from 'node:fs'
import { startGitHubEmulator } from '../../../simulator/github/index.js'
import { EMULATED_OPERATIONS } from '../../../simulator/github/operations.js'
import { SHA_A, useGitHubEmulator } from './emulator-fixture.js'

describe('GitHub emulator: OpenAPI validation', () => {
  const fixture = useGitHubEmulator()

  it('refuses a deployment status whose state is not in the documented enum, with 422 and a violation', async () => {
    const { github, octokit } = fixture
    const deployment = github.addDeployment({ environment: 'staging', sha: SHA_A })

    const attempt = octokit.rest.repos.createDeploymentStatus({
      owner: github.owner,
      repo: github.repo,
      deployment_id: deployment.id,
      state: 'bogus' as 'success'
    })

    await expect(attempt).rejects.toMatchObject({
      status: 422,
      response: {
        data: {
          message: expect.stringMatching(/^Invalid request\.\n\n.*"bogus" is not a member of \["error",/)
        }
      }
    })
    expect(github.state.deploymentStatuses[deployment.id]).toEqual([])
    expect(github.takeViolations()).toEqual([
      expect.stringMatching(
        /repos\/create-deployment-status\): request body \/state must be equal to one of the allowed values/
      )
    ])
  })

  it('refuses a check run conclusion outside the enum and a status update that completes without one', async () => {
    const { github, octokit } = fixture
    const { owner, repo } = github
    await expect(
      octokit.rest.checks.create({
        owner,
        repo,
        name: 'gate',
        head_sha: SHA_A,
        conclusion: 'passed' as 'success'
      })
    ).rejects.toMatchObject({ status: 422 })
    const run = github.addCheckRun({ head_sha: SHA_A, name: 'gate' })
    await expect(
      octokit.rest.checks.update({ owner, repo, check_run_id: run.id, status: 'completed' })
    ).rejects.toMatchObject({ status: 422 })

    const violations = github.takeViolations().join('\n')
    expect(violations).toContain(
      '(checks/create): request body /conclusion must be equal to one of the allowed values'
    )
    expect(violations).toContain("(checks/update): request body must have required property 'conclusion'")
    expect(github.state.checkRuns).toEqual([
      expect.objectContaining({ id: run.id, status: 'queued', conclusion: null })
    ])
  })

  it('refuses a path parameter of the wrong type', async () => {
    const { github } = fixture
    const response = await fetch(`${github.url}/repos/${github.owner}/${github.repo}/deployments/latest`, {
      headers: { authorization: `token ${github.token}` }
    })
    expect(response.status).toBe(422)
    expect(github.takeViolations()).toEqual([
      expect.stringContaining('request parameters /path/deployment_id must be integer')
    ])
  })

  it('records an undocumented query parameter but answers as GitHub does, ignoring it', async () => {
    const { github, octokit } = fixture
    const response = await octokit.request('GET /repos/{owner}/{repo}/deployments', {
      owner: github.owner,
      repo: github.repo,
      environmnet: 'staging'
    })
    expect(response.status).toBe(200)
    expect(github.takeViolations()).toEqual([
      expect.stringContaining("query parameter 'environmnet' is not documented for this operation")
    ])
  })

  it('refuses to seed a record that does not have the documented shape', () => {
    const { github } = fixture
    expect(() =>
      github.addCheckRun({ head_sha: SHA_A, name: 'ci', conclusion: 'passed' as 'success' })
    ).toThrow(
      /Seeded check-run does not match GitHub's OpenAPI description:\n {2}- check-run \/conclusion must be equal to one of the allowed values/
    )
  })

  it('sends rate limit headers on every answer and counts requests against the core budget', async () => {
    const { github, octokit } = fixture
    const first = await octokit.rest.repos.get({ owner: github.owner, repo: github.repo })
    const missing = await fetch(`${github.url}/nothing/here`, {
      headers: { authorization: `token ${github.token}` }
    })
    const limits = await octokit.rest.rateLimit.get()

    expect(first.headers).toMatchObject({
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-used': '1',
      'x-ratelimit-resource': 'core'
    })
    expect(missing.status).toBe(404)
    expect(await missing.json()).toMatchObject({ message: 'Not Found' })
    expect(missing.headers.get('x-ratelimit-used')).toBe('2')
    expect(limits.data.resources.core).toMatchObject({ limit: 5000, used: 2, remaining: 4998 })
    expect(first.data).toMatchObject({ full_name: `${github.owner}/${github.repo}`, default_branch: 'main' })
  })

  it('answers 401 without the token it was started with', async () => {
    const { github } = fixture
    const anonymous = await fetch(`${github.url}/repos/${github.owner}/${github.repo}`)
    const wrong = await fetch(`${github.url}/repos/${github.owner}/${github.repo}`, {
      headers: { authorization: 'Bearer ghs_wrong' }
    })
    expect([anonymous.status, wrong.status]).toEqual([401, 401])
    expect(await wrong.json()).toMatchObject({ message: 'Bad credentials' })
  })

  it('serves exactly the operations recorded in the committed OpenAPI subset', () => {
    const subset = JSON.parse(
      readFileSync(
        new URL('../../../simulator/github/openapi/api.github.com.subset.json', import.meta.url),
        'utf8'
      )
    ) as { 'x-subset': { source: string; operations: string[] } }
    expect(subset['x-subset'].source).toMatch(/^@octokit\/openapi@\d+\.\d+\.\d+$/)
    expect(subset['x-subset'].operations).toEqual([...EMULATED_OPERATIONS].sort())
  })

  it('passes requests through unchecked when started with validate: false', async () => {
    const github = await startGitHubEmulator({
      validate: false,
      owner: 'acme',
      repo: 'shop',
      token: 'ghs_fixed'
    })
    try {
      const octokit = getOctokit('ghs_fixed', { baseUrl: github.url })
      const created = await octokit.rest.checks.create({
        owner: 'acme',
        repo: 'shop',
        name: 'gate',
        head_sha: SHA_A,
        external_id: 42 as unknown as string
      })
      expect(created.status).toBe(201)
      expect(github.violations).toEqual([])
    } finally {
      await github.close()
    }
  })
})
