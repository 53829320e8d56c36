import { describe, expect, it } from '@jest/globals'
import {
  commitChange,
  readSnapshot,
  type ChangeFunction
} from '../../../src/gitops/delivery/commit-change.js'
import { gitHubManifestRepository } from '../../../src/gitops/delivery/manifest-repository.js'
import { mergePullRequest } from '../../../src/gitops/delivery/merge-pull-request.js'
import { deliverPullRequest } from '../../../src/gitops/delivery/pull-request-delivery.js'
import { RecordingLogger } from '../../../src/runtime/logger.js'
import { FastForwardClock } from '../../support/fast-forward-clock.js'
import { git, useGitHubEmulator } from '../../simulator/github/emulator-fixture.js'

const PATH = 'envs/prod/kustomization.yaml'
const TEXT = 'kind: Kustomization\nimages:\n- name: api\n  newTag: "1.0"\n'

const setTag =
  (tag: string): ChangeFunction =>
  (files) => {
    const text = files.get(PATH)!.text
    const edited = text.replace(/newTag: "[^"]*"/, `newTag: "${tag}"`)
    return edited === text ? [] : [{ path: PATH, text: edited }]
  }

describe('deliverPullRequest and mergePullRequest', () => {
  const fixture = useGitHubEmulator({ owner: 'acme', repo: 'manifests' })
  const logger = new RecordingLogger()
  const manifests = () => gitHubManifestRepository(fixture.octokit, 'acme/manifests')

  async function deliver(branch: string, tag: string) {
    const snapshot = (await readSnapshot(manifests(), 'main', [PATH]))!
    return deliverPullRequest({
      manifests: manifests(),
      base: 'main',
      branch,
      snapshot,
      change: setTag(tag),
      paths: [PATH],
      title: `Promote ${tag}`,
      body: `Promotes ${tag}.`,
      message: `Promote ${tag}`,
      supersedes: (pull) => pull.head.startsWith('promote/prod-'),
      comment: (newer) => `Superseded by #${newer?.number}`,
      logger
    })
  }

  it('reuses a branch that already holds the change, and closes older pull requests it supersedes', async () => {
    const { github } = fixture
    github.putFile(PATH, TEXT)
    const first = await deliver('promote/prod-1111111', '2.0')
    const again = await deliver('promote/prod-1111111', '2.0')
    expect(again).toMatchObject({ reused: true, headSha: first.headSha, superseded: [] })
    expect(github.state.pullRequests).toHaveLength(1)
    expect(github.requests.filter((r) => r.operationId === 'git/create-commit')).toHaveLength(1)

    const newer = await deliver('promote/prod-2222222', '3.0')
    const [older, open] = github.state.pullRequests
    expect(newer.superseded.map((p) => p.number)).toEqual([older!.number])
    expect(older!.state).toBe('closed')
    expect(open!.state).toBe('open')
    expect(github.state.issueComments[older!.number]!.map((c) => c.body)).toEqual([
      `Superseded by #${open!.number}`
    ])
    expect(github.state.contents['main']![PATH]).toBe(TEXT)
  })

  it('applies the change again on the new base when the pull request conflicts with a base that moved, then merges', async () => {
    const { github } = fixture
    github.putFile(PATH, TEXT)
    const delivered = await deliver('promote/prod-1111111', '2.0')
    // Someone changes the same line on main: the pull request is dirty now.
    github.putFile(PATH, TEXT.replace('"1.0"', '"1.5"').replace('kind:', '# hotfix\nkind:'), {
      message: 'hotfix'
    })
    const result = await mergePullRequest({
      manifests: manifests(),
      pullRequest: delivered.pullRequest!,
      method: 'merge',
      timeoutMs: 60_000,
      pollMs: 1000,
      clock: new FastForwardClock(),
      signal: new AbortController().signal,
      logger,
      rebuild: async () => {
        await commitChange({
          manifests: manifests(),
          base: 'main',
          paths: [PATH],
          change: setTag('2.0'),
          message: 'Promote 2.0',
          target: { push: 'branch', branch: 'promote/prod-1111111' },
          logger
        })
      }
    })
    expect(result).toEqual({ sha: git(github, 'rev-parse', 'main'), how: 'merged' })
    expect(logger.text).toContain('conflicts with its base')
    // The hotfix's other line is kept; the promoted tag wins on the line both changed.
    expect(github.state.contents['main']![PATH]).toBe(
      TEXT.replace('"1.0"', '"2.0"').replace('kind:', '# hotfix\nkind:')
    )
    expect(git(github, 'log', '--format=%s', 'main')).toContain('hotfix')
  })

  it('fails when the pull request is closed without being merged', async () => {
    const { github, octokit } = fixture
    github.putFile(PATH, TEXT)
    github.setRequiredChecks('main', ['ci'])
    const delivered = await deliver('promote/prod-1111111', '2.0')
    await octokit.rest.pulls.update({
      owner: 'acme',
      repo: 'manifests',
      pull_number: delivered.pullRequest!.number,
      state: 'closed'
    })
    await expect(
      mergePullRequest({
        manifests: manifests(),
        pullRequest: delivered.pullRequest!,
        method: 'merge',
        timeoutMs: 60_000,
        pollMs: 1000,
        clock: new FastForwardClock(),
        signal: new AbortController().signal,
        logger
      })
    ).rejects.toThrow('was closed without being merged')
  })
})
