/**
 * Demo chapter: a GitOps promotion end to end against the demo world: the promote stage opens
 * a pull request that edits the preview overlay and merges it (`merge: auto`), Argo CD (played
 * from here, over the simulator's API, as its controller writes the Application) is asked to
 * refresh, syncs, and reports Synced and Healthy; then a crashing release goes Degraded and the
 * promotion reverts its commit (a revert pull request, merged the same way), never patching the
 * cluster Argo CD would put back.
 *
 * With `merge: manual` the promote stage ends at the open pull request: the chapter then merges
 * it as a reviewer would and runs the verify stage, which waits for the sync instead.
 */
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as k8s from '@kubernetes/client-node'
import { ArgoCdPlayer } from '../../simulator/gitops/argocd-player.js'
import { readCustomResourceDefinitions } from '../../simulator/kubernetes/index.js'
import { launchAction, type BundleName, type LaunchResult } from '../../simulator/runner/launch-action.js'
import { imageOf, REPOSITORY, SHA, type DemoWorld } from '../demo-world.js'
import { bold, cyan, dim, green, red, renderRunnerLine, renderSummary } from '../render-log.js'

const NAMESPACE = 'shop-preview'
const OVERLAY = 'environments/preview/kustomization.yaml'
const CONFIG = '.github/promotion-gitops.yml'
const OVERLAY_TEXT = `# preview overlay: promote-action edits images[] below
resources:
- ../../base
images:
- name: shop-web
  newName: ${REPOSITORY}
  newTag: "${SHA.running.slice(0, 7)}"
`

const config = `# ${CONFIG} (demo): one GitOps environment, synced by Argo CD
environments:
  preview:
    mode: gitops
    # No targets: Argo CD's own health decides (with targets, their pods' reasons fail it sooner).
    gitops:
      path: ${OVERLAY}
      image-name: shop-web
      merge: auto
      sync:
        argocd: { application: shop-preview }
        timeout: 60s
    health:
      on-failure: rollback
`

let runs = 0

export async function gitopsChapter(world: DemoWorld): Promise<void> {
  const sim = world.kubernetes
  // merge: auto merges a pull request GitHub calls clean at once.
  world.github.setRepositorySettings({ allow_auto_merge: true })
  for (const crd of readCustomResourceDefinitions('cluster/crds'))
    try {
      sim.create(crd)
    } catch {
      // Already installed by the world or an earlier chapter.
    }
  for (const name of ['argocd', NAMESPACE])
    if (!sim.get('namespaces', undefined, name))
      sim.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })
  sim.create({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: NAMESPACE, labels: { app: 'web' } },
    spec: {
      replicas: 2,
      // A pod counts once Ready for 1 s: the crashing build (up 300 ms, then down) never does.
      minReadySeconds: 1,
      progressDeadlineSeconds: 3,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: imageOf(SHA.running) }] }
      }
    }
  })
  const initial = world.github.putFile(OVERLAY, OVERLAY_TEXT)
  writeFileSync(join(world.workspace, CONFIG), config)

  const kubeConfig = new k8s.KubeConfig()
  kubeConfig.loadFromString(sim.kubeconfig())
  const apps = kubeConfig.makeApiClient(k8s.AppsV1Api)
  const argo = new ArgoCdPlayer({
    kubeConfig,
    namespace: 'argocd',
    name: 'shop-preview',
    path: 'environments/preview'
  })
  await argo.create(initial, NAMESPACE)
  const git = (...args: string[]) =>
    execFileSync('git', ['--git-dir', world.github.gitDir, ...args], { encoding: 'utf8' }).trim()
  const stop = new AbortController()
  const following = argo.follow({
    head: () => git('rev-parse', 'main'),
    apply: async (revision) => {
      const tag = /newTag: "([^"]+)"/.exec(git('show', `${revision}:${OVERLAY}`))?.[1]
      await apps.patchNamespacedDeployment(
        {
          name: 'web',
          namespace: NAMESPACE,
          body: {
            spec: { template: { spec: { containers: [{ name: 'web', image: `${REPOSITORY}:${tag}` }] } } }
          }
        },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch)
      )
      console.log(dim(`    [Argo CD] refreshed, syncing ${revision.slice(0, 7)}: web -> ${tag}`))
    },
    deployment: { namespace: NAMESPACE, name: 'web' },
    signal: stop.signal,
    healthTimeoutMs: 10_000
  })
  const running = () =>
    (
      sim.get('deployments', NAMESPACE, 'web') as {
        spec: { template: { spec: { containers: { image: string }[] } } }
      }
    ).spec.template.spec.containers[0]!.image

  try {
    console.log(
      `\n${cyan('━━ 7. GitOps: a pull request edits the preview overlay, is merged, and Argo CD syncs it')}`
    )
    await promoteThroughGit(world, SHA.release, 'success')
    console.log(dim(`  preview runs ${running()}; ${OVERLAY} on main: newTag ${SHA.release.slice(0, 7)}`))

    console.log(
      `\n${cyan('━━ 8. GitOps: a crashing release goes Degraded; the commit is reverted, never patched over')}`
    )
    await promoteThroughGit(world, SHA.crashing, 'failure')
    console.log(
      dim(
        `  main: ${git('log', '-3', '--format=%h %s', 'main').split('\n').join(' | ')}; preview runs ${running()} again`
      )
    )
  } finally {
    stop.abort()
    await following.catch(() => undefined)
  }
}

/** promote (pull request) -> a reviewer merges -> verify waits for Argo CD; or promote alone when it delivers and waits itself. */
async function promoteThroughGit(
  world: DemoWorld,
  sha: string,
  expected: 'success' | 'failure'
): Promise<void> {
  const image = imageOf(sha)
  const promoted = await run(world, 'promote', `promote ${sha.slice(0, 7)} to preview (mode: gitops)`, {
    environment: 'preview',
    sha,
    image
  })
  const result = promoted.outputs['result']
  if (result !== 'pull-request-opened') {
    judge(promoted, result === 'synced' ? 'success' : 'failure', expected)
    return
  }
  // merge: manual: a reviewer merges, and verify (say, on the manifests repository's push) waits.
  judge(promoted, 'success', 'success')
  const pull = world.github.state.pullRequests.filter((p) => p.state === 'open').at(-1)!
  console.log(`\n${bold(`a reviewer merges pull request #${pull.number}`)}`)
  const response = await fetch(`${world.github.url}/repos/acme/shop/pulls/${pull.number}/merge`, {
    method: 'PUT',
    headers: { authorization: `token ${world.github.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ merge_method: 'merge' })
  })
  console.log(dim(`  merged: ${((await response.json()) as { sha: string }).sha.slice(0, 7)}`))
  const verified = await run(world, 'verify', 'verify preview (e.g. on the manifests repository’s push)', {
    environment: 'preview',
    sha,
    image
  })
  judge(verified, verified.exitCode === 0 ? 'success' : 'failure', expected)
}

async function run(
  world: DemoWorld,
  bundle: BundleName,
  title: string,
  stepInputs: Record<string, string>
): Promise<LaunchResult> {
  console.log(`\n${bold(title)}`)
  console.log(dim(`  uses: org/promote-action/${bundle}@v1  with: ${JSON.stringify(stepInputs)}`))
  const inputs = {
    'github-token': world.github.token,
    kubeconfig: world.kubernetes.kubeconfig(),
    config: CONFIG,
    ...stepInputs
  }
  const env = {
    GITHUB_API_URL: world.github.url,
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_SHA: stepInputs['sha'] ?? SHA.release,
    GITHUB_RUN_ID: String(8000 + ++runs)
  }
  const result = await launchAction({
    bundle,
    cwd: world.workspace,
    inputs,
    env,
    onLine: (line) => {
      const shown = renderRunnerLine(line)
      if (shown !== undefined) console.log(shown)
    }
  })
  if (bundle === 'promote' && result.state['isPost'] === 'true')
    await launchAction({ bundle, cwd: world.workspace, inputs, env, state: result.state })
  if (result.summary.trim()) console.log(`  ${dim('job summary:')}\n${renderSummary(result.summary)}`)
  return result
}

function judge(result: LaunchResult, got: 'success' | 'failure', expected: 'success' | 'failure'): void {
  const ok = result.exitCode === 0
  console.log(
    `  ${ok ? green('✔ step succeeded') : red('✘ step failed')}${got === expected ? dim(' (as expected)') : red(' (NOT as expected)')}`
  )
  if (got !== expected) process.exitCode = 1
}
