import { describe, expect, it } from '@jest/globals'
import { useGitHubEmulator } from './emulator-fixture.js'

describe('GitHub emulator: deployment reviews of a workflow run', () => {
  const fixture = useGitHubEmulator()
  const RUN = 9_001

  it('lists the environments a run waits for, with reviewers and wait timer from their protection rules', async () => {
    const { github, octokit } = fixture
    github.setEnvironment('production', {
      protection_rules: [
        { type: 'required_reviewers', reviewers: [{ type: 'Team', slug: 'sre' }] },
        { type: 'wait_timer', wait_timer: 15 }
      ]
    })
    github.addPendingDeployment(RUN, { environment: 'production' })

    const pending = await octokit.rest.actions.getPendingDeploymentsForRun({
      owner: github.owner,
      repo: github.repo,
      run_id: RUN
    })

    expect(pending.data).toEqual([
      expect.objectContaining({
        environment: expect.objectContaining({ name: 'production' }),
        wait_timer: 15,
        wait_timer_started_at: expect.any(String),
        current_user_can_approve: true,
        reviewers: [{ type: 'Team', reviewer: expect.objectContaining({ slug: 'sre' }) }]
      })
    ])
  })

  it('lists who approved or rejected which environments with their comments, and clears them from pending', async () => {
    const { github, octokit } = fixture
    const { owner, repo } = github
    github.addPendingDeployment(RUN, { environment: 'staging' })
    github.addPendingDeployment(RUN, { environment: 'production' })
    github.reviewDeployments(RUN, {
      environments: ['production'],
      state: 'rejected',
      user: 'alice',
      comment: 'Freeze until Monday'
    })
    github.reviewDeployments(RUN, { environments: ['staging', 'production'], state: 'approved', user: 'bob' })

    const approvals = await octokit.rest.actions.getReviewsForRun({ owner, repo, run_id: RUN })
    const pending = await octokit.rest.actions.getPendingDeploymentsForRun({ owner, repo, run_id: RUN })

    expect(
      approvals.data.map((review) => [
        review.user.login,
        review.state,
        review.environments.map((environment) => environment.name),
        review.comment
      ])
    ).toEqual([
      ['alice', 'rejected', ['production'], 'Freeze until Monday'],
      ['bob', 'approved', ['staging', 'production'], '']
    ])
    expect(pending.data).toEqual([])
  })

  it('answers 404 for a run it knows nothing about', async () => {
    const { github, octokit } = fixture
    await expect(
      octokit.rest.actions.getReviewsForRun({ owner: github.owner, repo: github.repo, run_id: 424242 })
    ).rejects.toMatchObject({ status: 404 })
  })
})
