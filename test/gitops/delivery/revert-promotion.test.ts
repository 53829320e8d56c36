import { describe, expect, it } from '@jest/globals'
import { commitChange, type ChangeFunction } from '../../../src/gitops/delivery/commit-change.js'
import {
  gitHubManifestRepository,
  type ManifestRepository
} from '../../../src/gitops/delivery/manifest-repository.js'
import { revertFilesOf, revertPromotion } from '../../../src/gitops/delivery/revert-promotion.js'
import { RecordingLogger } from '../../../src/runtime/logger.js'
import { FastForwardClock } from '../../support/fast-forward-clock.js'
import { git, useGitHubEmulator } from '../../simulator/github/emulator-fixture.js'

const EU = 'envs/eu/kustomization.yaml'
const US = 'envs/us/values.yaml'
const EU_TEXT = 'kind: Kustomization\r\nimages: [{name: api, newTag: "1.0"}] # flow\r\n'
const US_TEXT = 'image:\n  tag: 1.0 # pinned\n'
const promoted = (text: string) => text.replace('1.0', '2.0')

const promote: ChangeFunction = (files) =>
  [EU, US].map((path) => ({ path, text: promoted(files.get(path)!.text) }))

describe('revertPromotion', () => {
  const fixture = useGitHubEmulator({ owner: 'acme', repo: 'manifests' })
  const logger = new RecordingLogger()
  const manifests = () => gitHubManifestRepository(fixture.octokit, 'acme/manifests')

  /** A promotion of both files, pushed to main; returns the commit before and the promotion commit. */
  async function promoteDirect(): Promise<{ before: string; after: string }> {
    fixture.github.putFile(EU, EU_TEXT)
    fixture.github.putFile(US, US_TEXT)
    const outcome = await commitChange({
      manifests: manifests(),
      base: 'main',
      paths: [EU, US],
      change: promote,
      message: 'Promote api 2.0',
      target: { push: 'direct' },
      logger
    })
    if (!outcome.committed) throw new Error('nothing promoted')
    return { before: outcome.parent, after: outcome.sha }
  }

  const files = [
    { path: EU, previousText: EU_TEXT, promotedText: promoted(EU_TEXT) },
    { path: US, previousText: US_TEXT, promotedText: promoted(US_TEXT) }
  ]

  it('restores exactly the previous contents with one commit on the base (push: direct)', async () => {
    const { github } = fixture
    const { after } = await promoteDirect()
    const result = await revertPromotion({
      manifests: manifests(),
      base: 'main',
      push: 'direct',
      files,
      title: 'Revert api 2.0 in prod',
      logger
    })
    expect(result).toMatchObject({ status: 'reverted', merged: true })
    expect(result.sha).toBe(git(github, 'rev-parse', 'main'))
    expect(git(github, 'rev-parse', 'main^')).toBe(after)
    expect(github.state.contents['main']![EU]).toBe(EU_TEXT)
    expect(github.state.contents['main']![US]).toBe(US_TEXT)
    expect(git(github, 'log', '-1', '--format=%s', 'main')).toBe('Revert api 2.0 in prod')
  })

  it('reads what to restore from a Deployment record (before and after), and finds nothing to do the second time', async () => {
    const { github } = fixture
    const record = { files: [EU, US], ...(await promoteDirect()) }
    expect(await revertFilesOf(manifests(), record)).toEqual(files)
    const revert = async () =>
      revertPromotion({
        manifests: manifests(),
        base: 'main',
        push: 'direct',
        files: await revertFilesOf(manifests(), record),
        title: 'Revert',
        logger
      })
    expect((await revert()).status).toBe('reverted')
    const head = git(github, 'rev-parse', 'main')
    expect(await revert()).toEqual({ status: 'already-reverted', sha: head, commit: undefined, merged: true })
    expect(git(github, 'rev-parse', 'main')).toBe(head)
  })

  it('applies the revert again on the new head when another commit lands meanwhile, keeping it', async () => {
    const { github } = fixture
    await promoteDirect()
    let raced = false
    const real = manifests()
    const racing: ManifestRepository = {
      ...real,
      writeCommit: async (options) => {
        if (!raced) github.putFile('README.md', '# manifests, edited meanwhile\n', { message: 'docs' })
        raced = true
        return real.writeCommit(options)
      }
    }
    const result = await revertPromotion({
      manifests: racing,
      base: 'main',
      push: 'direct',
      files,
      title: 'Revert',
      logger
    })
    expect(result.status).toBe('reverted')
    expect(git(github, 'log', '--format=%s', 'main').split('\n').slice(0, 3)).toEqual([
      'Revert',
      'docs',
      'Promote api 2.0'
    ])
    expect(github.state.contents['main']!['README.md']).toBe('# manifests, edited meanwhile\n')
    expect(github.state.contents['main']![EU]).toBe(EU_TEXT)
  })

  it('refuses to revert over a later change of a promoted file, naming it', async () => {
    const { github } = fixture
    await promoteDirect()
    github.putFile(US, 'image:\n  tag: 3.0 # a newer promotion\n')
    const head = git(github, 'rev-parse', 'main')
    await expect(
      revertPromotion({
        manifests: manifests(),
        base: 'main',
        push: 'direct',
        files,
        title: 'Revert',
        logger
      })
    ).rejects.toThrow(`${US} in acme/manifests changed on main after the promotion`)
    expect(git(github, 'rev-parse', 'main')).toBe(head)
  })

  it('opens a pull request that restores the files (push: pull-request), and merges it when asked', async () => {
    const { github } = fixture
    const { after } = await promoteDirect()
    const opened = await revertPromotion({
      manifests: manifests(),
      base: 'main',
      push: 'pull-request',
      branch: 'revert/prod-1',
      files,
      title: 'Revert api 2.0 in prod',
      body: 'Sync failed: Degraded.',
      logger
    })
    expect(opened).toMatchObject({ status: 'reverted', sha: undefined, merged: false })
    expect(opened.commit).toBe(git(github, 'rev-parse', 'revert/prod-1'))
    expect(git(github, 'rev-parse', 'main')).toBe(after)
    expect(github.state.contents['revert/prod-1']![EU]).toBe(EU_TEXT)
    const pull = github.state.pullRequests[0]!
    expect(pull).toMatchObject({
      title: 'Revert api 2.0 in prod',
      body: 'Sync failed: Degraded.',
      state: 'open'
    })

    const merged = await revertPromotion({
      manifests: manifests(),
      base: 'main',
      push: 'pull-request',
      branch: 'revert/prod-1',
      files,
      title: 'Revert api 2.0 in prod',
      body: 'Sync failed: Degraded.',
      merge: {
        method: 'squash',
        timeoutMs: 60_000,
        pollMs: 1000,
        clock: new FastForwardClock(),
        signal: new AbortController().signal
      },
      logger
    })
    // The re-run reuses the branch and the pull request, and merges it.
    expect(github.state.pullRequests).toHaveLength(1)
    expect(merged).toMatchObject({ status: 'reverted', merged: true, pullRequest: { number: pull.number } })
    expect(merged.sha).toBe(git(github, 'rev-parse', 'main'))
    expect(git(github, 'rev-parse', 'main^')).toBe(after)
    expect(github.state.contents['main']![EU]).toBe(EU_TEXT)
    expect(github.state.contents['main']![US]).toBe(US_TEXT)
  })

  it('removes a file the promotion created', async () => {
    const { github } = fixture
    github.putFile('envs/new/values.yaml', 'image:\n  tag: 2.0\n')
    await revertPromotion({
      manifests: manifests(),
      base: 'main',
      push: 'direct',
      files: [{ path: 'envs/new/values.yaml', previousText: null, promotedText: 'image:\n  tag: 2.0\n' }],
      title: 'Revert',
      logger
    })
    expect(github.state.contents['main']!['envs/new/values.yaml']).toBeUndefined()
    expect(github.state.contents['main']!['README.md']).toBeDefined()
  })
})
