import { describe, expect, it } from '@jest/globals'
import {
  commitChange,
  readSnapshot,
  type ChangeFunction
} from '../../../src/gitops/delivery/commit-change.js'
import {
  gitHubManifestRepository,
  type ManifestRepository
} from '../../../src/gitops/delivery/manifest-repository.js'
import { RecordingLogger } from '../../../src/runtime/logger.js'
import { git, useGitHubEmulator } from '../../simulator/github/emulator-fixture.js'

const PATH = 'envs/prod/kustomization.yaml'
const TEXT = '# prod overlay\r\nkind: Kustomization\r\nimages:\r\n- name: api\r\n  newTag: "1.0"\r\n'

/** Sets newTag to 2.0 wherever it is, as the promotion edit would. */
const setTag: ChangeFunction = (files) => {
  const text = files.get(PATH)!.text
  const edited = text.replace(/newTag: "[^"]*"/, 'newTag: "2.0"')
  return edited === text ? [] : [{ path: PATH, text: edited }]
}

/** The repository, with `land` run before each of the first `times` commits it writes: another push between read and write. */
function racing(manifests: ManifestRepository, land: () => void, times = 1): ManifestRepository {
  let left = times
  return {
    ...manifests,
    writeCommit: async (options) => {
      if (left-- > 0) land()
      return manifests.writeCommit(options)
    }
  }
}

describe('commitChange', () => {
  const fixture = useGitHubEmulator({ owner: 'acme', repo: 'manifests' })
  const manifests = () => gitHubManifestRepository(fixture.octokit, 'acme/manifests')
  const logger = new RecordingLogger()
  const options = (repository: ManifestRepository) => ({
    manifests: repository,
    base: 'main',
    paths: [PATH],
    change: setTag,
    message: 'Promote api 2.0',
    logger
  })

  it('commits straight onto the base, byte for byte, with the base head as parent', async () => {
    const { github } = fixture
    github.putFile(PATH, TEXT)
    const before = git(github, 'rev-parse', 'main')
    const outcome = await commitChange({ ...options(manifests()), target: { push: 'direct' } })
    expect(outcome.committed).toBe(true)
    if (!outcome.committed) return
    expect(outcome).toMatchObject({ parent: before, attempts: 1 })
    expect(git(github, 'rev-parse', 'main')).toBe(outcome.sha)
    expect(git(github, 'rev-parse', 'main^')).toBe(before)
    expect(git(github, 'show', `main:${PATH}`)).toBe(TEXT.replace('"1.0"', '"2.0"').replace(/\n$/, ''))
    expect(github.state.contents['main']![PATH]).toBe(TEXT.replace('"1.0"', '"2.0"'))
    expect(outcome.files).toEqual([{ path: PATH, before: TEXT, after: TEXT.replace('"1.0"', '"2.0"') }])
  })

  it('applies the change again on the new head when another commit lands between read and write, keeping that commit', async () => {
    const { github } = fixture
    github.putFile(PATH, TEXT)
    const snapshot = (await readSnapshot(manifests(), 'main', [PATH]))!
    // Someone edits the same file (another line) after our read, before our write.
    const theirs = TEXT.replace('# prod overlay', '# prod overlay (owned by SRE)')
    const repository = racing(manifests(), () => github.putFile(PATH, theirs, { message: 'SRE: comment' }))
    const outcome = await commitChange({ ...options(repository), target: { push: 'direct' }, snapshot })
    expect(outcome.committed && outcome.attempts).toBe(2)
    expect(github.state.contents['main']![PATH]).toBe(theirs.replace('"1.0"', '"2.0"'))
    expect(git(github, 'log', '--format=%s', 'main').split('\n').slice(0, 2)).toEqual([
      'Promote api 2.0',
      'SRE: comment'
    ])
    expect(logger.text).toContain('main moved from')
    expect(github.requests.filter((r) => r.operationId === 'git/update-ref').map((r) => r.status)).toEqual([
      422, 200
    ])
  })

  it('gives up after a bounded number of attempts when the base keeps moving, overwriting nothing', async () => {
    const { github } = fixture
    github.putFile(PATH, TEXT)
    let n = 0
    const repository = racing(manifests(), () => github.putFile(`other-${++n}.txt`, 'x'), 10)
    await expect(
      commitChange({ ...options(repository), target: { push: 'direct' }, attempts: 3 })
    ).rejects.toThrow('main of acme/manifests moved 3 times')
    expect(github.state.contents['main']![PATH]).toBe(TEXT)
    expect(git(github, 'log', '--format=%s', 'main').split('\n')).toHaveLength(5)
  })

  it('says so when GitHub refuses to move a base that did not move (branch protection)', async () => {
    const { github } = fixture
    github.putFile(PATH, TEXT)
    const real = manifests()
    const protectedBase: ManifestRepository = {
      ...real,
      updateBranch: async () => ({
        moved: false,
        message: 'Protected branch update failed for refs/heads/main'
      })
    }
    await expect(commitChange({ ...options(protectedBase), target: { push: 'direct' } })).rejects.toThrow(
      /Protected branch update failed.*did not move.*branch protection or rulesets, or use push: pull-request/
    )
  })

  it('commits onto a branch of its own made from the base head, moving it when a re-run finds it', async () => {
    const { github } = fixture
    github.putFile(PATH, TEXT)
    const first = await commitChange({
      ...options(manifests()),
      target: { push: 'branch', branch: 'promote/prod-1' }
    })
    github.putFile('unrelated.txt', 'x')
    const second = await commitChange({
      ...options(manifests()),
      target: { push: 'branch', branch: 'promote/prod-1' }
    })
    expect(first.committed && second.committed).toBe(true)
    expect(git(github, 'rev-parse', 'promote/prod-1')).toBe(second.committed ? second.sha : '')
    expect(git(github, 'rev-parse', 'promote/prod-1^')).toBe(git(github, 'rev-parse', 'main'))
    expect(github.state.contents['main']![PATH]).toBe(TEXT)
  })

  it('commits nothing when the change finds nothing to do', async () => {
    const { github } = fixture
    github.putFile(PATH, TEXT.replace('"1.0"', '"2.0"'))
    const outcome = await commitChange({ ...options(manifests()), target: { push: 'direct' } })
    expect(outcome.committed).toBe(false)
    expect(github.requests.filter((r) => r.method !== 'GET')).toEqual([])
  })
})

describe('the manifests repository', () => {
  const fixture = useGitHubEmulator({ owner: 'acme', repo: 'manifests' })

  it('reads a BOM and CRLF line breaks as they are, and refuses a file that is not UTF-8', async () => {
    const { github, octokit } = fixture
    github.putFile('bom.yaml', '\uFEFFkind: Kustomization\r\n')
    github.putFile('latin1.yaml', Buffer.from('name: caf\xe9\n', 'latin1'))
    const manifests = gitHubManifestRepository(octokit, 'acme/manifests')
    expect((await manifests.readFile('bom.yaml', 'main'))?.text).toBe('\uFEFFkind: Kustomization\r\n')
    await expect(manifests.readFile('latin1.yaml', 'main')).rejects.toThrow(
      'latin1.yaml in acme/manifests is not UTF-8 text'
    )
    expect(await manifests.readFile('missing.yaml', 'main')).toBeUndefined()
  })
})
