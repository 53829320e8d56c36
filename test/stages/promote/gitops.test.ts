import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startGitHubEmulator, type GitHubEmulator } from '../../../simulator/github/index.js'
import { RecordingLogger } from '../../../src/runtime/logger.js'
import type { StageContext } from '../../../src/runtime/run-stage.js'
import { readWorkflowContext } from '../../../src/runtime/workflow-context.js'
import { promote, type PromotionReport } from '../../../src/stages/promote/promote-stage.js'
import type { PromotionServices } from '../../../src/steps/promotion-run.js'
import { FastForwardClock } from '../../support/fast-forward-clock.js'
import { MemoryIO } from '../../support/memory-io.js'

const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'
const PATH = 'environments/staging/kustomization.yaml'
const BRANCH = 'promote/staging-a1b2c3d'
const DIGEST = `sha256:${'b'.repeat(64)}`
const KUSTOMIZATION = `# Staging overlay: promote-action edits images[] below.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- ../../base
images:
# the API, promoted from dev
- name: api
  newName: ghcr.io/acme/api # set by promote-action
  newTag: "1.0.0"
- name: sidecar
  newTag: "7"
`
const CONFIG = `
version: 1
environments:
  staging:
    mode: gitops
    gitops:
      path: ${PATH}
      image-name: api
`

interface Run {
  io: MemoryIO
  logger: RecordingLogger
  report?: PromotionReport | undefined
  error?: unknown
}

describe('promote stage in gitops mode', () => {
  let github: GitHubEmulator
  let workspace: string

  beforeEach(async () => {
    github = await startGitHubEmulator({ owner: 'acme', repo: 'shop' })
    github.putFile(PATH, KUSTOMIZATION)
    workspace = mkdtempSync(join(tmpdir(), 'promote-gitops-'))
    writeFileSync(join(workspace, 'promotion.yml'), CONFIG)
  })
  afterEach(async () => {
    github.assertNoViolations()
    await github.close()
    rmSync(workspace, { recursive: true, force: true })
  })

  async function run(
    inputs: Record<string, string>,
    options: { sha?: string; runId?: string; services?: Partial<PromotionServices> } = {}
  ): Promise<Run> {
    const io = new MemoryIO({
      environment: 'staging',
      config: 'promotion.yml',
      'github-token': github.token,
      ...inputs
    })
    const logger = new RecordingLogger()
    const env: NodeJS.ProcessEnv = {
      GITHUB_WORKSPACE: workspace,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: github.url,
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_RUN_ID: options.runId ?? '4242',
      GITHUB_SHA: options.sha ?? SHA,
      RUNNER_TEMP: tmpdir()
    }
    const context: StageContext = {
      logger,
      io,
      env,
      workflow: readWorkflowContext(env),
      signal: new AbortController().signal
    }
    const result: Run = { io, logger }
    try {
      result.report = await promote(context, options.services)
    } catch (error) {
      result.error = error
    }
    return result
  }

  const fileOn = (branch: string) => github.state.contents[branch]?.[PATH]

  it('opens a pull request that edits the kustomization and keeps its comments', async () => {
    const { io, error } = await run({ image: 'ghcr.io/acme/api:2.0.0' })
    expect(error).toBeUndefined()
    expect(io.outputs['result']).toBe('pull-request-opened')
    expect(io.outputs['image']).toBe('ghcr.io/acme/api:2.0.0')
    expect(fileOn(BRANCH)).toBe(KUSTOMIZATION.replace('newTag: "1.0.0"', 'newTag: "2.0.0"'))
    expect(fileOn('main')).toBe(KUSTOMIZATION)

    expect(github.state.pullRequests).toHaveLength(1)
    const pull = github.state.pullRequests[0]!
    expect(pull.title).toBe('Promote ghcr.io/acme/api:2.0.0 to staging')
    expect(pull.head.ref).toBe(BRANCH)
    expect(pull.base.ref).toBe('main')
    expect(pull.body).toContain('`ghcr.io/acme/api:1.0.0`')
    expect(pull.body).toContain(SHA)
    expect(pull.body).toContain('https://github.com/acme/shop/actions/runs/4242')
    expect(pull.body).toContain('GITHUB_TOKEN does not trigger workflows')
    expect(io.outputs['pull-request-url']).toBe(pull.html_url)

    const id = Number(io.outputs['deployment-id'])
    expect(github.state.deploymentStatuses[id]!.map((s) => s.state)).toEqual(['in_progress', 'queued'])
    expect(io.summary).toContain(`[#${pull.number}](${pull.html_url})`)
    expect(io.summary).toContain('ghcr.io/acme/api:1.0.0')
  })

  it('promotes image.repository tagged with the SHA when no image input is given, as in kubernetes mode', async () => {
    writeFileSync(
      join(workspace, 'promotion.yml'),
      CONFIG.replace(
        '    mode: gitops',
        "    mode: gitops\n    image: { repository: ghcr.io/acme/api, tag: '${short-sha}' }"
      )
    )
    const { io, error } = await run({})
    expect(error).toBeUndefined()
    expect(io.outputs['image']).toBe('ghcr.io/acme/api:a1b2c3d')
    expect(fileOn(BRANCH)).toContain('newTag: "a1b2c3d"')
  })

  it('writes digest: and drops newTag when promoting by digest', async () => {
    const { io, error } = await run({ image: `ghcr.io/acme/api@${DIGEST}` })
    expect(error).toBeUndefined()
    expect(io.outputs['result']).toBe('pull-request-opened')
    const edited = fileOn(BRANCH)!
    // newTag is renamed to digest in place, keeping its quotes: only the changed bytes differ.
    expect(edited).toBe(KUSTOMIZATION.replace('newTag: "1.0.0"', `digest: "${DIGEST}"`))
  })

  it('refuses a file without an images entry for the image name, naming the file', async () => {
    github.putFile(PATH, 'resources:\n  - ../../base # base\n')
    const { error } = await run({ image: 'ghcr.io/acme/api:2.0.0' })
    expect((error as Error).message).toContain(`${PATH} has no images[] entry named "api"`)
    expect((error as Error).message).toContain('create-missing: true')
    expect(github.state.pullRequests).toEqual([])
  })

  it('adds an images entry when the file has none and create-missing is set', async () => {
    github.putFile(PATH, 'resources:\n  - ../../base # base\n')
    writeFileSync(join(workspace, 'promotion.yml'), `${CONFIG}      create-missing: true\n`)
    const { error } = await run({ image: 'ghcr.io/acme/api:2.0.0' })
    expect(error).toBeUndefined()
    expect(fileOn(BRANCH)).toBe(
      'resources:\n  - ../../base # base\nimages:\n  - name: api\n    newName: ghcr.io/acme/api\n    newTag: 2.0.0\n'
    )
  })

  it('reuses the branch and the open pull request on a re-run', async () => {
    await run({ image: 'ghcr.io/acme/api:2.0.0' })
    const commits = Object.keys(github.state.commits).length
    const { io, error } = await run({ image: 'ghcr.io/acme/api:2.0.0' })
    expect(error).toBeUndefined()
    expect(io.outputs['result']).toBe('pull-request-opened')
    expect(github.state.pullRequests).toHaveLength(1)
    expect(io.outputs['pull-request-url']).toBe(github.state.pullRequests[0]!.html_url)
    expect(Object.keys(github.state.commits)).toHaveLength(commits)
    // Same image, same run: the pull request's text is already right.
    expect(github.requests.filter((r) => r.operationId === 'pulls/update')).toEqual([])
  })

  it("rewrites the reused pull request's title and description when a re-run promotes another image", async () => {
    await run({ image: 'ghcr.io/acme/api:2.0.0' })
    const { io, error } = await run({ image: 'ghcr.io/acme/api:2.1.0' })
    expect(error).toBeUndefined()
    expect(io.outputs['result']).toBe('pull-request-opened')
    expect(github.state.pullRequests).toHaveLength(1)
    const pull = github.state.pullRequests[0]!
    expect(pull.title).toContain('ghcr.io/acme/api:2.1.0')
    expect(pull.body).toContain('ghcr.io/acme/api:2.1.0')
    expect(pull.body).not.toContain('ghcr.io/acme/api:2.0.0')
    expect(fileOn(BRANCH)).toContain('newTag: "2.1.0"')
  })

  it('reports unchanged and opens nothing when the file already has the image', async () => {
    const { io, error } = await run({ image: 'ghcr.io/acme/api:1.0.0' })
    expect(error).toBeUndefined()
    expect(io.outputs['result']).toBe('unchanged')
    expect(github.state.pullRequests).toEqual([])
    expect(Object.keys(github.state.contents)).toEqual(['main'])
    const id = Number(io.outputs['deployment-id'])
    expect(github.state.deploymentStatuses[id]!.map((s) => s.state)).toEqual(['in_progress', 'success'])
  })

  it('changes nothing in a dry run and prints the edit', async () => {
    const { io, logger, error } = await run({ image: 'ghcr.io/acme/api:2.0.0', 'dry-run': 'true' })
    expect(error).toBeUndefined()
    expect(io.outputs['result']).toBe('dry-run')
    expect(github.state.pullRequests).toEqual([])
    expect(github.state.deployments).toEqual([])
    expect(Object.keys(github.state.contents)).toEqual(['main'])
    expect(github.requests.every((r) => r.method === 'GET')).toBe(true)
    const log = logger.entries.map((e) => e.message).join('\n')
    expect(log).toContain(
      [
        `--- a/${PATH}`,
        `+++ b/${PATH}`,
        '@@ -7,6 +7,6 @@',
        ' # the API, promoted from dev',
        ' - name: api',
        '   newName: ghcr.io/acme/api # set by promote-action',
        '-  newTag: "1.0.0"',
        '+  newTag: "2.0.0"',
        ' - name: sidecar',
        '   newTag: "7"'
      ].join('\n')
    )
    expect(io.summary).toContain('dry-run')
  })

  it('names the permissions: line when the token may not write contents', async () => {
    github.denyPermission({ method: 'POST', pathPattern: /\/git\/refs$/ })
    const { error } = await run({ image: 'ghcr.io/acme/api:2.0.0' })
    expect((error as Error).message).toContain('permissions:\n    contents: write')
    expect(github.state.pullRequests).toEqual([])
  })
  /** `git --git-dir` on the emulator's bare repository: what really got committed. */
  const git = (...args: string[]) => execFileSync('git', ['--git-dir', github.gitDir, ...args])
  const writeConfig = (gitops: string) =>
    writeFileSync(
      join(workspace, 'promotion.yml'),
      `version: 1\nenvironments:\n  staging:\n    mode: gitops\n    gitops:\n${gitops}`
    )
  const recordOf = (io: MemoryIO) => {
    const id = Number(io.outputs['deployment-id'])
    return {
      states: github.state.deploymentStatuses[id]!.map((s) => s.state),
      payload: github.state.deployments.find((d) => d.id === id)!.payload as Record<string, unknown>
    }
  }

  describe('several files, byte for byte', () => {
    const EU = 'environments/eu/kustomization.yaml'
    const US = 'environments/us/values.yaml'
    const EU_TEXT =
      "\uFEFFapiVersion: kustomize.config.k8s.io/v1beta1\r\nkind: Kustomization\r\nimages: [{name: api, newName: ghcr.io/acme/api, newTag: '1.0.0'}]  # flow\r\n"
    const US_TEXT = 'image:\n  repository: ghcr.io/acme/api\n  tag: 1.0.0 # pinned\n'
    const FILES = [
      '      files:',
      `        - path: ${EU}`,
      '          image-name: api',
      `        - path: ${US}`,
      '          paths: { repository: image.repository, tag: image.tag }',
      ''
    ].join('\n')

    beforeEach(() => {
      github.putFile(EU, EU_TEXT)
      github.putFile(US, US_TEXT)
    })

    it('commits every file of the environment in one commit, changing only the bytes of the values', async () => {
      writeConfig(FILES)
      const { io, error } = await run({ image: 'ghcr.io/acme/api:2.0.0' })
      expect(error).toBeUndefined()
      expect(io.outputs['result']).toBe('pull-request-opened')
      // BOM, CRLF, flow style, quotes and comments as they were.
      expect(git('show', `${BRANCH}:${EU}`)).toEqual(Buffer.from(EU_TEXT.replace("'1.0.0'", "'2.0.0'")))
      expect(git('show', `${BRANCH}:${US}`).toString()).toBe(US_TEXT.replace('1.0.0', '2.0.0'))
      // One commit on top of main, touching exactly the two files.
      expect(git('rev-list', '--count', `main..${BRANCH}`).toString().trim()).toBe('1')
      expect(
        git('diff-tree', '--no-commit-id', '--name-only', '-r', BRANCH).toString().trim().split('\n')
      ).toEqual([EU, US])
      expect(git('log', '-1', '--format=%s', BRANCH).toString().trim()).toBe(
        'Promote ghcr.io/acme/api:2.0.0 to staging'
      )
      const pull = github.state.pullRequests[0]!
      expect(pull.body).toContain(`Diff of ${EU}`)
      expect(pull.body).toContain(`Diff of ${US}`)
      expect(recordOf(io).payload['targets']).toEqual([`acme/shop/${EU}`, `acme/shop/${US}`])
    })

    it('prints the exact diff of every file in a dry run, writing nothing', async () => {
      writeConfig(FILES)
      const { logger, error } = await run({ image: 'ghcr.io/acme/api:2.0.0', 'dry-run': 'true' })
      expect(error).toBeUndefined()
      expect(github.requests.every((r) => r.method === 'GET')).toBe(true)
      const log = logger.entries.map((e) => e.message).join('\n')
      expect(log).toContain(
        [
          `--- a/${EU}`,
          `+++ b/${EU}`,
          '@@ -1,3 +1,3 @@',
          ' \uFEFFapiVersion: kustomize.config.k8s.io/v1beta1',
          ' kind: Kustomization',
          "-images: [{name: api, newName: ghcr.io/acme/api, newTag: '1.0.0'}]  # flow",
          "+images: [{name: api, newName: ghcr.io/acme/api, newTag: '2.0.0'}]  # flow",
          `--- a/${US}`,
          `+++ b/${US}`,
          '@@ -1,3 +1,3 @@',
          ' image:',
          '   repository: ghcr.io/acme/api',
          '-  tag: 1.0.0 # pinned',
          '+  tag: 2.0.0 # pinned',
          ''
        ].join('\n')
      )
    })

    it('refuses the whole promotion when one file cannot be edited, naming it', async () => {
      github.putFile(US, 'image: {tag: &t 1.0.0}\nother: *t\n')
      writeConfig(FILES)
      const { error } = await run({ image: 'ghcr.io/acme/api:2.0.0' })
      expect((error as Error).message).toContain(US)
      expect(github.state.pullRequests).toEqual([])
      expect(Object.keys(github.state.contents)).toEqual(['main'])
    })
  })

  it('commits straight to the base branch with push: direct, and records what a revert needs', async () => {
    const before = git('rev-parse', 'main').toString().trim()
    writeConfig(`      path: ${PATH}\n      image-name: api\n      push: direct\n`)
    const { io, error } = await run({ image: 'ghcr.io/acme/api:2.0.0' })
    expect(error).toBeUndefined()
    expect(io.outputs['result']).toBe('committed')
    const after = git('rev-parse', 'main').toString().trim()
    expect(git('rev-parse', 'main^').toString().trim()).toBe(before)
    expect(git('show', `main:${PATH}`).toString()).toBe(KUSTOMIZATION.replace('"1.0.0"', '"2.0.0"'))
    expect(github.state.pullRequests).toEqual([])
    expect(Object.keys(github.state.contents)).toEqual(['main'])
    const record = recordOf(io)
    expect(record.states).toEqual(['in_progress', 'success'])
    expect(record.payload['gitops']).toEqual({
      repository: 'acme/shop',
      base: 'main',
      push: 'direct',
      files: [PATH],
      before,
      after
    })
    expect(io.summary).toContain(after)
  })

  describe('merge: auto', () => {
    const AUTO = `      path: ${PATH}\n      image-name: api\n      merge: auto\n      merge-timeout: 10m\n`
    const head = () => git('rev-parse', 'main').toString().trim()

    it('enables GitHub auto-merge and waits until the required checks pass and GitHub merges', async () => {
      github.setRepositorySettings({ allow_auto_merge: true })
      github.setRequiredChecks('main', ['ci'])
      writeConfig(AUTO)
      const clock = new FastForwardClock({ onSleep: (i) => i === 1 && void github.completeChecks(BRANCH) })
      const { io, error } = await run({ image: 'ghcr.io/acme/api:2.0.0' }, { services: { clock } })
      expect(error).toBeUndefined()
      expect(io.outputs['result']).toBe('merged')
      expect(github.requests.filter((r) => r.path === '/graphql')).toHaveLength(1)
      const pull = github.state.pullRequests[0]!
      expect(pull.merged).toBe(true)
      expect(pull.merge_commit_sha).toBe(head())
      expect(git('show', `main:${PATH}`).toString()).toBe(KUSTOMIZATION.replace('"1.0.0"', '"2.0.0"'))
      expect(github.requests.filter((r) => r.operationId === 'pulls/merge')).toEqual([])
      expect(recordOf(io).states).toEqual(['in_progress', 'success'])
    })

    it('merges at once when GitHub refuses auto-merge because the pull request is already clean', async () => {
      github.setRepositorySettings({ allow_auto_merge: true })
      writeConfig(AUTO)
      const { io, logger, error } = await run({ image: 'ghcr.io/acme/api:2.0.0' })
      expect(error).toBeUndefined()
      expect(io.outputs['result']).toBe('merged')
      expect(logger.text).toContain('is in clean status')
      expect(github.requests.filter((r) => r.operationId === 'pulls/merge').map((r) => r.status)).toEqual([
        200
      ])
      expect(github.state.pullRequests[0]!.merge_commit_sha).toBe(head())
    })

    it('merges once the required checks pass where the repository does not allow auto-merge', async () => {
      github.setRequiredChecks('main', ['ci'])
      writeConfig(AUTO)
      const clock = new FastForwardClock({ onSleep: (i) => i === 2 && void github.completeChecks(BRANCH) })
      const { io, logger, error } = await run({ image: 'ghcr.io/acme/api:2.0.0' }, { services: { clock } })
      expect(error).toBeUndefined()
      expect(io.outputs['result']).toBe('merged')
      expect(logger.text).toContain('Auto merge is not allowed for this repository')
      expect(logger.text).toContain('blocked (required checks or reviews have not passed)')
      expect(github.state.pullRequests[0]!.merge_commit_sha).toBe(head())
    })

    it('fails, and records the failure, when the pull request is not merged within merge-timeout', async () => {
      github.setRequiredChecks('main', ['ci'])
      writeConfig(AUTO)
      const { io, error } = await run(
        { image: 'ghcr.io/acme/api:2.0.0' },
        { services: { clock: new FastForwardClock(), mergePollMs: 60_000 } }
      )
      expect((error as Error).message).toContain('was not merged within 600s')
      expect(github.state.pullRequests[0]!.state).toBe('open')
      expect(recordOf(io).states).toEqual(['in_progress', 'failure'])
    })
  })

  it('supersedes an older open promotion pull request of the environment, and retires its record', async () => {
    const first = await run({ image: 'ghcr.io/acme/api:2.0.0' })
    const OTHER = 'f'.repeat(40)
    const second = await run({ image: 'ghcr.io/acme/api:2.1.0' }, { sha: OTHER, runId: '4343' })
    expect(second.error).toBeUndefined()
    const [older, newer] = github.state.pullRequests
    expect(older!.state).toBe('closed')
    expect(newer!.state).toBe('open')
    expect(newer!.head.ref).toBe('promote/staging-fffffff')
    const comments = github.state.issueComments[older!.number]!.map((c) => c.body)
    expect(comments).toEqual([
      expect.stringContaining(`Superseded by #${newer!.number} (${newer!.html_url})`)
    ])
    expect(recordOf(first.io).states).toEqual(['in_progress', 'queued', 'inactive'])
    expect(recordOf(second.io).states).toEqual(['in_progress', 'queued'])
  })

  it('waits for another run of the environment whose GitOps promotion is in progress (the lock without a cluster)', async () => {
    github.addDeployment({
      environment: 'staging',
      sha: 'e'.repeat(40),
      payload: { tool: 'promote-action', run_id: '1', run_attempt: '1' },
      statuses: [{ state: 'in_progress' }]
    })
    const { error, logger } = await run(
      { image: 'ghcr.io/acme/api:2.0.0', 'lock-timeout': '1m' },
      { services: { clock: new FastForwardClock(), deploymentPollMs: 10_000 } }
    )
    expect((error as Error).message).toContain('Timed out after 60s waiting for deployment')
    expect(logger.text).toContain('the lock is the wait for other GitHub Deployments')
    expect(github.state.pullRequests).toEqual([])
    expect(Object.keys(github.state.contents)).toEqual(['main'])
  })

  it('never prints the token, whatever the outcome', async () => {
    github.setRepositorySettings({ allow_auto_merge: true })
    writeConfig(`      path: ${PATH}\n      image-name: api\n      merge: auto\n`)
    const runs = [await run({ image: 'ghcr.io/acme/api:2.0.0' })]
    github.denyPermission({ method: 'POST', pathPattern: /\/git\/trees$/ })
    runs.push(await run({ image: 'ghcr.io/acme/api:3.0.0' }, { sha: 'c'.repeat(40), runId: '5' }))
    expect(runs[1]!.error).toBeDefined()
    const written = [
      ...runs.flatMap(({ io, logger, error }) => [
        logger.text,
        JSON.stringify(logger.entries),
        JSON.stringify(io.outputs),
        JSON.stringify(io.state),
        io.summary,
        String(io.failed),
        error instanceof Error ? `${error.message} ${error.stack}` : ''
      ]),
      JSON.stringify(github.state.pullRequests),
      JSON.stringify(github.state.issueComments),
      JSON.stringify(github.state.deployments),
      JSON.stringify(github.state.deploymentStatuses),
      git('log', '--all', '--format=%B').toString()
    ].join('\n')
    expect(written).toContain('ghcr.io/acme/api:2.0.0')
    expect(written).not.toContain(github.token)
  })
})
