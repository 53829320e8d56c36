/* eslint-disable @typescript-eslint/no-explicit-any -- raw Kubernetes API JSON, read field by field */
/**
 * Rollout-completion detection on the real control plane (cluster/): our watcher
 * (src/kubernetes/rollout-watcher waitForRollout) vs `kubectl rollout status` (the kubectl built
 * from the same Kubernetes version), on the same rollouts, in the same run.
 *
 * Per rollout: patch the image, then start both at once; a third, raw watch records the moment the
 * Deployment status first shows the rollout complete. Each detector's latency = when it returned -
 * that moment. p50 over ROLLOUTS rollouts, and the ratio ours / kubectl.
 */
import { spawn, execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { KubeConfig } from '@kubernetes/client-node'
import { systemClock } from '../src/runtime/clock.js'
import { waitForRollout } from '../src/kubernetes/rollout/rollout-watcher.js'
import { KubernetesWorkloadApi } from '../src/kubernetes/api/kubernetes-api.js'
import { RecordingLogger } from '../src/runtime/logger.js'
import { launchAction } from '../simulator/runner/launch-action.js'
import { KubeHttp } from '../test/contract/kube-http.js'
import { clusterConfig } from '../test/cluster/support/promote-world.js'
import { fmt, median } from './stats.js'

const ROLLOUTS = 5
const SCALE_RUNS = 3
const CLUSTER = 'promote-action-bench'
const CACHE = join(
  process.env['PROMOTE_ACTION_CACHE'] ?? join(homedir(), '.cache', 'promote-action'),
  'k8s-v1.36.3'
)
const KUBECTL = join(CACHE, 'bin', 'kubectl')

const complete = (d: any): boolean => {
  const s = d?.status ?? {}
  const want = d?.spec?.replicas ?? 1
  return (
    s.observedGeneration >= d.metadata.generation &&
    s.updatedReplicas === want &&
    s.replicas === want &&
    s.availableReplicas === want
  )
}

export async function clusterFigures(): Promise<string[]> {
  if (!existsSync(join(CACHE, '.complete')) || !existsSync(KUBECTL))
    throw new Error(
      `no control-plane binaries in ${CACHE}: build them once with \`npm run cluster:build\` (bash cluster/build.sh, 7-16 min cold)`
    )
  const kubeconfig = execFileSync('bash', ['cluster/up.sh', CLUSTER], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore']
  }).trim()
  const k = (...args: string[]) =>
    execFileSync(KUBECTL, ['--kubeconfig', kubeconfig, ...args], {
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe']
    })
  const ns = `bench-${Date.now() % 100000}`
  try {
    k('create', 'namespace', ns)
    const kc = new KubeConfig()
    kc.loadFromFile(kubeconfig)
    const api = new KubernetesWorkloadApi(kc)
    const http = await KubeHttp.fromKubeconfig(readFileSync(kubeconfig, 'utf8'))
    const path = `/apis/apps/v1/namespaces/${ns}/deployments`
    const name = 'bench'
    const created = await http.request('POST', path, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name: 'app', image: 'registry.example/bench:0' }] }
        }
      }
    })
    if (created.status !== 201) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`)
    k('rollout', 'status', `deployment/${name}`, '-n', ns, '--timeout=60s')

    const ours: number[] = []
    const theirs: number[] = []
    const rows: string[] = []
    for (let i = 1; i <= ROLLOUTS; i++) {
      const before = await http.get(`${path}/${name}`)
      // Our own observer: the first watch event whose status shows the new generation complete.
      let completedAt: number | undefined
      let generation = Number.MAX_SAFE_INTEGER
      const observer = http.watch(
        `${path}?watch=true&resourceVersion=${before.metadata.resourceVersion}&fieldSelector=metadata.name%3D${name}`,
        (events) => {
          const last = events[events.length - 1]?.object
          if (completedAt === undefined && last?.metadata?.generation >= generation && complete(last))
            completedAt = performance.now()
          return completedAt !== undefined
        },
        60_000
      )
      const patched = await http.request(
        'PATCH',
        `${path}/${name}`,
        {
          spec: {
            template: { spec: { containers: [{ name: 'app', image: `registry.example/bench:${i}` }] } }
          }
        },
        'application/strategic-merge-patch+json'
      )
      generation = patched.body.metadata.generation
      const kubectlDone = new Promise<number>((resolve, reject) => {
        const child = spawn(
          KUBECTL,
          ['--kubeconfig', kubeconfig, 'rollout', 'status', `deployment/${name}`, '-n', ns, '--timeout=60s'],
          { stdio: 'ignore' }
        )
        child.on('exit', (code) =>
          code === 0 ? resolve(performance.now()) : reject(new Error(`kubectl rollout status exited ${code}`))
        )
      })
      const oursDone = waitForRollout(
        { kind: 'Deployment', name, namespace: ns },
        { api, timeoutMs: 60_000, logger: new RecordingLogger(), clock: systemClock }
      ).then((r) => {
        if (r.status !== 'succeeded') throw new Error(`waitForRollout: ${r.status} ${r.message}`)
        return performance.now()
      })
      const [a, b] = await Promise.all([oursDone, kubectlDone, observer])
      if (completedAt === undefined)
        throw new Error(`rollout ${i}: the observer never saw the status complete`)
      ours.push(a - completedAt)
      theirs.push(b - completedAt)
      rows.push(`rollout ${i}: ours +${fmt(a - completedAt)}, kubectl +${fmt(b - completedAt)}`)
    }
    const o = median(ours)
    const t = median(theirs)
    const scale = await scaleOnRealControlPlane(kubeconfig, k, http)
    return [
      `${ROLLOUTS} rollouts of a 3-replica Deployment (kube-apiserver + kube-controller-manager v1.36.3, kwok nodes); latency after the status first shows the rollout complete:`,
      ...rows,
      `p50: waitForRollout +${fmt(o)} vs kubectl rollout status +${fmt(t)} (kubectl includes its process start, overlapped with the rollout) = ${(o / Math.max(t, 0.001)).toFixed(2)}x kubectl`,
      ...scale
    ]
  } finally {
    try {
      k('delete', 'namespace', ns, '--wait=false')
    } catch {
      // the cluster goes anyway
    }
    execFileSync('bash', ['cluster/down.sh', CLUSTER], { stdio: 'ignore' })
  }
}

/**
 * The promote bundle, launched as the runner launches it, promoting 1 and then 50 one-replica
 * Deployments (selector target) in a fresh namespace each: wall time of the stage, alternated
 * SCALE_RUNS times, as the 50-vs-1 ratio measured on the real control plane.
 */
async function scaleOnRealControlPlane(
  kubeconfig: string,
  k: (...args: string[]) => string,
  http: KubeHttp
): Promise<string[]> {
  const workspace = mkdtempSync(join(tmpdir(), 'bench-scale-'))
  const adminKubeconfig = readFileSync(kubeconfig, 'utf8')
  /** The control plane alone: one `kubectl set image` for all, then until every rollout is complete. */
  const controlPlaneOnly = async (ns: string): Promise<number> => {
    const started = performance.now()
    k('set', 'image', 'deployment', '-l', 'tier=bench', 'app=registry.example/scale:1', '-n', ns)
    for (;;) {
      const list = await http.get(`/apis/apps/v1/namespaces/${ns}/deployments`)
      if (
        list.items.every(
          (d: any) => d.spec.template.spec.containers[0].image === 'registry.example/scale:1' && complete(d)
        )
      )
        return performance.now() - started
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  const run = async (
    count: number,
    round: number,
    mode: 'action' | 'control-plane' = 'action'
  ): Promise<number> => {
    const ns = `scale-${count}-${round}-${Date.now() % 100000}`
    k('create', 'namespace', ns)
    try {
      const manifests = Array.from({ length: count }, (_, i) =>
        JSON.stringify({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: `svc-${i}`, namespace: ns, labels: { tier: 'bench' } },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: `svc-${i}` } },
            template: {
              metadata: { labels: { app: `svc-${i}`, tier: 'bench' } },
              spec: { containers: [{ name: 'app', image: 'registry.example/scale:0' }] }
            }
          }
        })
      )
      execFileSync(KUBECTL, ['--kubeconfig', kubeconfig, 'apply', '-f', '-'], {
        input: `{"apiVersion":"v1","kind":"List","items":[${manifests.join(',')}]}`,
        stdio: ['pipe', 'ignore', 'pipe']
      })
      k('wait', '--for=condition=Available', 'deployment', '--all', '-n', ns, '--timeout=120s')
      if (mode === 'control-plane') return await controlPlaneOnly(ns)
      writeFileSync(join(workspace, 'promotion.yml'), clusterConfig(ns, '      - selector: tier=bench'))
      const result = await launchAction({
        bundle: 'promote',
        inputs: {
          environment: 'staging',
          config: 'promotion.yml',
          kubeconfig: adminKubeconfig,
          image: 'registry.example/scale:1',
          'github-token': ''
        },
        env: { KUBECONFIG: undefined },
        cwd: workspace,
        timeoutMs: 180_000
      })
      if (result.exitCode !== 0) throw new Error(`promotion of ${count} failed: ${result.stdout.slice(-600)}`)
      return result.durationMs
    } finally {
      k('delete', 'namespace', ns, '--wait=false')
    }
  }
  const one: number[] = []
  const fifty: number[] = []
  const plainOne: number[] = []
  const plainFifty: number[] = []
  for (let round = 0; round < SCALE_RUNS; round++) {
    one.push(await run(1, round))
    fifty.push(await run(50, round))
    plainOne.push(await run(1, round, 'control-plane'))
    plainFifty.push(await run(50, round, 'control-plane'))
  }
  rmSync(workspace, { recursive: true, force: true })
  const ratios = fifty.map((f, i) => (f / one[i]!).toFixed(2)).join(', ')
  return [
    `50 one-replica Deployments vs 1 (promote bundle as the runner runs it, same control plane, ${SCALE_RUNS} alternated runs): ${fmt(median(fifty))} vs ${fmt(median(one))} = ${(median(fifty) / median(one)).toFixed(2)}x (per run: ${ratios}; target <= 1.5x)`,
    `  the control plane alone (kubectl set image on all, until every rollout is complete): 50 in ${fmt(median(plainFifty))} vs 1 in ${fmt(median(plainOne))} = ${(median(plainFifty) / median(plainOne)).toFixed(2)}x; the stage's time over it at 50: ${fmt(median(fifty) - median(plainFifty))}`
  ]
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await clusterFigures()) console.log(line)
}
