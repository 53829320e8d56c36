import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { approval } from '../../src/gates/approval.js'
import { RUN_ID, startGateHarness, type GateHarness } from './support/gate-harness.js'

describe('approval gate', () => {
  let h: GateHarness
  beforeEach(async () => {
    h = await startGateHarness()
  })
  afterEach(async () => {
    h.github.assertNoViolations()
    await h.close()
  })

  it('passes when the environment has required reviewers, naming them', async () => {
    h.github.setEnvironment('production', {
      protection_rules: [
        {
          type: 'required_reviewers',
          reviewers: [
            { type: 'Team', slug: 'on-call' },
            { type: 'User', login: 'alice' }
          ],
          prevent_self_review: true
        },
        { type: 'wait_timer', wait_timer: 5 }
      ],
      can_admins_bypass: false
    })
    const result = await h.run(approval, { 'prevent-self-review': true })
    expect(result.status).toBe('passed')
    expect(result.summary).toBe(
      'environment "production" requires approval from team on-call, @alice; the promote job waits for it when it uses environment: production'
    )
    expect(result.evidence).toEqual(
      expect.arrayContaining([
        { label: 'wait timer', value: '5 min' },
        { label: 'prevent self-review', value: 'true' },
        { label: 'administrators may bypass', value: 'no' }
      ])
    )
  })

  it('fails loudly when the environment has no required reviewers, saying how to add them', async () => {
    h.github.setEnvironment('production', { protection_rules: [{ type: 'wait_timer', wait_timer: 1 }] })
    const result = await h.run(approval, {})
    expect(result.status).toBe('failed')
    expect(result.summary).toBe(
      'environment "production" has no required reviewers, so nothing stops the promote job from running unapproved. Add them under Settings → Environments → production → Required reviewers.'
    )
  })

  it('with when-missing: warn, passes but carries the warning', async () => {
    h.github.setEnvironment('production')
    const result = await h.run(approval, { 'when-missing': 'warn' })
    expect(result.status).toBe('passed')
    expect(result.summary).toMatch(/^WARNING: environment "production" has no required reviewers/)
    expect(result.warnings).toHaveLength(1)
  })

  it('requires prevent-self-review and a minimum of reviewers when configured', async () => {
    h.github.setEnvironment('production', {
      protection_rules: [{ type: 'required_reviewers', reviewers: [{ type: 'User', login: 'alice' }] }]
    })
    const result = await h.run(approval, { 'min-reviewers': 2, 'prevent-self-review': true })
    expect(result.status).toBe('failed')
    expect(result.summary).toContain('lists 1 required reviewer(s); 2 expected')
    expect(result.summary).toContain('does not prevent self-review')
  })

  it('explains a 404: the environment does not exist or the token may not see it', async () => {
    await expect(h.run(approval, {})).rejects.toThrow(
      /GitHub answered 404 when asked to read the protection rules of environment "production"[^]*permissions:\n\s+actions: read/
    )
  })

  it('names the permissions: line on a 403', async () => {
    h.github.setEnvironment('production')
    h.github.denyPermission({ pathPattern: /\/environments\// })
    await expect(h.run(approval, {})).rejects.toThrow(/permissions:\n\s+actions: read/)
  })

  const reviewed = () =>
    h.github.setEnvironment('production', {
      protection_rules: [{ type: 'required_reviewers', reviewers: [{ type: 'User', login: 'alice' }] }]
    })

  it("shows who approved this run's deployment to the environment, with their comment", async () => {
    reviewed()
    h.github.reviewDeployments(Number(RUN_ID), {
      environments: ['production'],
      state: 'approved',
      user: 'alice',
      comment: 'on-call approves'
    })
    const result = await h.run(approval, {})
    expect(result.status).toBe('passed')
    const reviews = result.evidence.find((e) => e.label === 'reviews of this run')
    expect(reviews?.value).toMatch(/^@alice approved \("on-call approves"\) \(before \d{4}-\d\d-\d\dT/)
  })

  it('says when nobody has reviewed this run yet, and fails when a reviewer rejected it', async () => {
    reviewed()
    const waiting = await h.run(approval, {})
    expect(waiting.evidence).toContainEqual({
      label: 'reviews of this run',
      value: 'none yet: the promote job waits for a required reviewer'
    })
    h.github.reviewDeployments(Number(RUN_ID), {
      environments: ['production'],
      state: 'rejected',
      user: 'bob',
      comment: 'not during the incident'
    })
    const rejected = await h.run(approval, {})
    expect(rejected.status).toBe('failed')
    expect(rejected.summary).toContain(
      `this run's deployment to "production" was rejected: @bob rejected ("not during the incident")`
    )
  })
})
