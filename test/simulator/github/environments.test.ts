import { describe, expect, it } from '@jest/globals'
import { useGitHubEmulator } from './emulator-fixture.js'

describe('GitHub emulator: environments', () => {
  const fixture = useGitHubEmulator()

  it('returns an environment with its required reviewers, wait timer and branch policy', async () => {
    const { github, octokit } = fixture
    github.setEnvironment('production', {
      protection_rules: [
        {
          type: 'required_reviewers',
          prevent_self_review: true,
          reviewers: [
            { type: 'User', login: 'release-manager' },
            { type: 'Team', reviewer: { slug: 'sre' } }
          ]
        },
        { type: 'wait_timer', wait_timer: 30 }
      ],
      deployment_branch_policy: { protected_branches: true, custom_branch_policies: false }
    })

    const environment = await octokit.rest.repos.getEnvironment({
      owner: github.owner,
      repo: github.repo,
      environment_name: 'production'
    })

    expect(environment.data.name).toBe('production')
    expect(environment.data.deployment_branch_policy).toEqual({
      protected_branches: true,
      custom_branch_policies: false
    })
    expect(environment.data.protection_rules?.map((rule) => rule.type)).toEqual([
      'required_reviewers',
      'wait_timer',
      'branch_policy'
    ])
    expect(environment.data.protection_rules?.[0]).toMatchObject({
      prevent_self_review: true,
      reviewers: [
        { type: 'User', reviewer: { login: 'release-manager' } },
        { type: 'Team', reviewer: { slug: 'sre' } }
      ]
    })
    expect(environment.data.protection_rules?.[1]).toMatchObject({ wait_timer: 30 })
  })

  it('answers 404 for an environment that does not exist', async () => {
    const { github, octokit } = fixture
    await expect(
      octokit.rest.repos.getEnvironment({ owner: github.owner, repo: github.repo, environment_name: 'qa' })
    ).rejects.toMatchObject({ status: 404, response: { data: { message: 'Not Found' } } })
  })

  it('creates an unprotected environment the first time a deployment names it', async () => {
    const { github, octokit } = fixture
    github.addDeployment({ environment: 'preview/pr-7', sha: github.state.refs['refs/heads/main'] as string })

    const environment = await octokit.rest.repos.getEnvironment({
      owner: github.owner,
      repo: github.repo,
      environment_name: 'preview/pr-7'
    })

    expect(environment.data).toMatchObject({
      name: 'preview/pr-7',
      protection_rules: [],
      deployment_branch_policy: null
    })
  })
})
