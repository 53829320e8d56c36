import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { startGitHubEmulator, type GitHubEmulator } from '../../../simulator/github/index.js'
import { RecordingLogger } from '../../../src/runtime/logger.js'
import type { StageContext } from '../../../src/runtime/run-stage.js'
import { readWorkflowContext } from '../../../src/runtime/workflow-context.js'
import { promote, type PromotionReport } from '../../../src/stages/promote/promote-stage.js'
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

  async function run(inputs: Record<string, string>): Promise<Run> {
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
      GITHUB_RUN_ID: '4242',
      GITHUB_SHA: SHA,
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
      result.report = await promote(context)
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
    expect(edited).toContain(`  newName: ghcr.io/acme/api # set by promote-action\n  digest: ${DIGEST}\n`)
    expect(edited).not.toContain('newTag: "1.0.0"')
    expect(edited).toContain('- name: sidecar\n  newTag: "7"')
  })

  it('adds an images entry when the file has none for the image name', async () => {
    github.putFile(PATH, 'resources:\n  - ../../base # base\n')
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
    expect(log).toContain('-   newTag: "1.0.0"')
    expect(log).toContain('+   newTag: "2.0.0"')
    expect(io.summary).toContain('dry-run')
  })

  it('names the permissions: line when the token may not write contents', async () => {
    github.denyPermission({ method: 'POST', pathPattern: /\/git\/refs$/ })
    const { error } = await run({ image: 'ghcr.io/acme/api:2.0.0' })
    expect((error as Error).message).toContain('permissions:\n    contents: write')
    expect(github.state.pullRequests).toEqual([])
  })
})
