/** Runs the bundled promote/verify stages as the runner does, against the real cluster, as the ServiceAccount. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { startGitHubEmulator, type GitHubEmulator } from '../../../simulator/github/index.js'
import {
  launchAction,
  type BundleName,
  type LaunchOptions,
  type LaunchResult
} from '../../../simulator/runner/launch-action.js'

export const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'
export const REPO = 'registry.example/acme/api'

export function distDir(): string {
  const dist = resolve(process.env['PROMOTE_ACTION_DIST'] ?? 'dist')
  if (!existsSync(join(dist, 'promote', 'index.js')))
    throw new Error(`no promote bundle in ${dist}: run npm run bundle (or set PROMOTE_ACTION_DIST)`)
  return dist
}

export function clusterConfig(namespace: string, targets: string, extra = ''): string {
  return `version: 1
environments:
  staging:
    namespace: ${namespace}
    url: https://staging.example.com
    targets:
${targets}
    rollout:
      timeout: 90s
      fail-fast:
        restart-threshold: 2
    lock:
      lease-duration: 5s
      timeout: 90s
${extra}`
}

export interface ClusterWorld {
  github: GitHubEmulator
  workspace: string
  launch(
    bundle: BundleName,
    inputs?: Record<string, string>,
    options?: Partial<LaunchOptions> & { runId?: string }
  ): Promise<LaunchResult>
  close(): Promise<void>
}

export async function startClusterWorld(config: string, saKubeconfig: string): Promise<ClusterWorld> {
  const github = await startGitHubEmulator({ owner: 'acme', repo: 'shop' })
  const workspace = mkdtempSync(join(tmpdir(), 'promote-cluster-ws-'))
  writeFileSync(join(workspace, 'promotion.yml'), config)
  const dist = distDir()
  return {
    github,
    workspace,
    launch: (bundle, inputs = {}, options = {}) =>
      launchAction({
        bundle,
        inputs: {
          environment: 'staging',
          config: 'promotion.yml',
          kubeconfig: saKubeconfig,
          'github-token': github.token,
          ...inputs
        },
        env: {
          GITHUB_API_URL: github.url,
          GITHUB_REPOSITORY: 'acme/shop',
          GITHUB_RUN_ID: options.runId ?? '4242',
          GITHUB_SHA: SHA,
          KUBECONFIG: undefined
        },
        cwd: workspace,
        distDir: dist,
        timeoutMs: 110_000,
        ...options
      }),
    async close() {
      await github.close()
      rmSync(workspace, { recursive: true, force: true })
    }
  }
}
