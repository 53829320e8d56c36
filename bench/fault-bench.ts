/**
 * Promotions under a flaky Kubernetes API: 30 promotions of 3 Deployments, each through a fault
 * proxy that fails about 10% of requests (500, 503, 429 with Retry-After, resets before and
 * after the server applied a request, watch streams cut), the promote bundle and its post step
 * run as the runner runs them. Counted after each post step:
 * - completed: result success, every target on the new image;
 * - half-applied: targets left on different images (must be 0);
 * - leases held: the environment Lease still held after the post step (must be 0).
 * Against the simulator, and against the real control plane (kube-apiserver v1.36.3, kwok nodes)
 * as the restricted ServiceAccount when its binaries are built. Targets: 0, 0, >= 27 of 30.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { startFaultProxy, type FaultProxy, type FaultRule } from '../simulator/faults/fault-proxy.js'
import { startGitHubEmulator } from '../simulator/github/index.js'
import { launchAction, type LaunchResult } from '../simulator/runner/launch-action.js'
import { KubeHttp } from '../test/contract/kube-http.js'
import { createTestPki } from '../test/support/test-pki.js'
import { startFaultWorld, TARGETS } from '../test/stages/promote/support/fault-world.js'
import { REPO } from '../test/stages/promote/support/promotion-world.js'

const PROMOTIONS = 30
const RATE = 0.1
const CLUSTER = 'promote-action-faults'
const CACHE = join(
  process.env['PROMOTE_ACTION_CACHE'] ?? join(homedir(), '.cache', 'promote-action'),
  'k8s-v1.36.3'
)

/**
 * Six fault kinds sharing the rate: each rule draws on its own, so about 1 - (1 - r)^6 = RATE of
 * requests get one. Seeded per promotion: a run is repeatable given the same request order.
 */
function randomFaults(proxy: FaultProxy, seed: number): void {
  proxy.rules.clear()
  const each = 1 - Math.pow(1 - RATE, 1 / 6)
  const faults: FaultRule['fault'][] = [
    { kind: 'status', code: 500 },
    { kind: 'status', code: 503 },
    { kind: 'throttle', retryAfterSeconds: 1 },
    { kind: 'reset' },
    { kind: 'reset-after-apply' },
    { kind: 'status-after-apply', code: 500 }
  ]
  faults.forEach((fault, i) =>
    proxy.rules.add({ rate: each, seed: seed * 10 + i, fault, query: { watch: null } })
  )
  proxy.rules.add({
    rate: RATE,
    seed: seed * 10 + 9,
    query: { watch: 'true' },
    fault: { kind: 'cut-watch', afterEvents: 1 }
  })
}

interface Tally {
  completed: number
  rolledBack: number
  failedOther: string[]
  halfApplied: number
  leasesHeld: number
  faults: number
  requests: number
}

interface Cluster {
  images(): Promise<string[]>
  leaseHolder(): Promise<string>
}

async function promotions(
  launch: (image: string, kubeconfig: string, state?: Record<string, string>) => Promise<LaunchResult>,
  proxy: FaultProxy,
  kubeconfig: string,
  cluster: Cluster
): Promise<Tally> {
  const tally: Tally = {
    completed: 0,
    rolledBack: 0,
    failedOther: [],
    halfApplied: 0,
    leasesHeld: 0,
    faults: 0,
    requests: 0
  }
  for (let i = 0; i < PROMOTIONS; i++) {
    const image = `${REPO}:v${i + 2}`
    randomFaults(proxy, i + 1)
    const before = proxy.requests.length
    const main = await launch(image, kubeconfig)
    proxy.rules.clear()
    await launch(image, kubeconfig, main.state)
    await proxy.settled()
    const requests = proxy.requests.slice(before)
    tally.requests += requests.length
    tally.faults += requests.filter((r) => r.fault).length
    const images = await cluster.images()
    if (new Set(images).size > 1) tally.halfApplied++
    if ((await cluster.leaseHolder()) !== '') tally.leasesHeld++
    const result = main.outputs['result']
    if (result === 'success' && images.every((i) => i === image)) tally.completed++
    else if (result === 'rolled-back') tally.rolledBack++
    else tally.failedOther.push(`#${i + 1}: ${result ?? 'no result'}: ${lastError(main.stdout)}`)
  }
  return tally
}

function lastError(stdout: string): string {
  const line =
    stdout
      .split('\n')
      .filter((l) => l.startsWith('::error'))
      .at(-1) ?? ''
  return line.replace(/^::error[^:]*::/, '').slice(0, 200)
}

function report(where: string, tally: Tally): string[] {
  return [
    `${where}: ${tally.completed} of ${PROMOTIONS} completed (target >= 27), ${tally.rolledBack} rolled back, ${tally.failedOther.length} failed otherwise; half-applied ${tally.halfApplied} (target 0); leases held after the post step ${tally.leasesHeld} (target 0); faults injected ${tally.faults} of ${tally.requests} requests (${((100 * tally.faults) / Math.max(1, tally.requests)).toFixed(1)}%)`,
    ...tally.failedOther.map((f) => `  ${f}`)
  ]
}

async function onSimulator(): Promise<string[]> {
  const faults = await startFaultWorld()
  try {
    const { world, proxy } = faults
    const kubeconfig = proxy.kubeconfig({ token: world.sim.token })
    const tally = await promotions(
      (image, kubeconfig, state) =>
        state
          ? world.post({ state } as LaunchResult, { kubeconfig, image })
          : world.launch({ image, kubeconfig }),
      proxy,
      kubeconfig,
      {
        images: async () =>
          TARGETS.map(
            (name) =>
              (
                world.sim.get('deployments', 'shop', name) as {
                  spec: { template: { spec: { containers: Array<{ image: string }> } } }
                }
              ).spec.template.spec.containers[0]!.image
          ),
        leaseHolder: async () =>
          (
            world.sim.get('leases', 'shop', 'promote-action.staging') as
              { spec?: { holderIdentity?: string } } | undefined
          )?.spec?.holderIdentity ?? ''
      }
    )
    return report('simulator', tally)
  } finally {
    await faults.close()
  }
}

async function onControlPlane(): Promise<string[]> {
  if (!existsSync(join(CACHE, '.complete')))
    return [`real control plane: not measured (no binaries in ${CACHE}; npm run cluster:build)`]
  const admin = execFileSync('bash', ['cluster/up.sh', CLUSTER], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore']
  }).trim()
  const kubectl = (...args: string[]) =>
    execFileSync(join(CACHE, 'bin', 'kubectl'), ['--kubeconfig', admin, ...args], {
      encoding: 'utf8',
      input: args.includes('-f') ? undefined : ''
    })
  const namespace = `faults-${Date.now() % 100000}`
  const dir = mkdtempSync(join(tmpdir(), 'fault-bench-'))
  const pki = createTestPki()
  const github = await startGitHubEmulator({ owner: 'acme', repo: 'shop' })
  let proxy: FaultProxy | undefined
  try {
    kubectl('create', 'namespace', namespace)
    const saPath = join(dir, 'sa.yaml')
    execFileSync('bash', [resolve('cluster/serviceaccount-kubeconfig.sh'), namespace, saPath], {
      env: { ...process.env, ADMIN_KUBECONFIG: admin },
      stdio: 'ignore'
    })
    const sa = readFileSync(saPath, 'utf8')
    const server = /server:\s*"?([^"\s]+)"?/.exec(sa)![1]!
    const ca = Buffer.from(/certificate-authority-data:\s*"?([^"\s]+)"?/.exec(sa)![1]!, 'base64').toString(
      'utf8'
    )
    const token = /token:\s*"?([^"\s]+)"?/.exec(sa)![1]!
    const http = await KubeHttp.fromKubeconfig(readFileSync(admin, 'utf8'))
    for (const name of TARGETS)
      await http.request('POST', `/apis/apps/v1/namespaces/${namespace}/deployments`, {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: { containers: [{ name: 'app', image: `${REPO}:v1` }] }
          }
        }
      })
    kubectl('rollout', 'status', '-n', namespace, ...TARGETS.map((t) => `deployment/${t}`), '--timeout=60s')
    proxy = await startFaultProxy({
      upstream: { url: server, ca },
      tls: { key: pki.key, cert: pki.cert, ca: pki.caPem }
    })
    const workspace = mkdtempSync(join(tmpdir(), 'fault-bench-ws-'))
    writeFileSync(
      join(workspace, 'promotion.yml'),
      `version: 1
environments:
  staging:
    namespace: ${namespace}
    targets:
${TARGETS.map((t) => `      - name: ${t}`).join('\n')}
    rollout: { timeout: 90s }
    lock: { lease-duration: 10s, timeout: 60s }
`
    )
    const kubeconfig = proxy.kubeconfig({ token })
    const tally = await promotions(
      (image, kubeconfig, state) =>
        launchAction({
          bundle: 'promote',
          inputs: {
            environment: 'staging',
            config: 'promotion.yml',
            kubeconfig,
            'github-token': github.token,
            image
          },
          env: {
            GITHUB_API_URL: github.url,
            GITHUB_REPOSITORY: 'acme/shop',
            GITHUB_RUN_ID: '4242',
            KUBECONFIG: undefined
          },
          cwd: workspace,
          timeoutMs: 180_000,
          ...(state ? { state } : {})
        }),
      proxy,
      kubeconfig,
      {
        images: async () =>
          Promise.all(
            TARGETS.map(async (name) => {
              const d = (await http.request(
                'GET',
                `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`
              )) as {
                body: { spec: { template: { spec: { containers: Array<{ image: string }> } } } }
              }
              return d.body.spec.template.spec.containers[0]!.image
            })
          ),
        leaseHolder: async () => {
          const lease = (await http.request(
            'GET',
            `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/promote-action.staging`
          )) as {
            status: number
            body: { spec?: { holderIdentity?: string } }
          }
          return lease.status === 200 ? (lease.body.spec?.holderIdentity ?? '') : ''
        }
      }
    )
    rmSync(workspace, { recursive: true, force: true })
    return report('real control plane (ServiceAccount, TLS proxy)', tally)
  } finally {
    await proxy?.close()
    await github.close()
    pki.remove()
    rmSync(dir, { recursive: true, force: true })
    execFileSync('bash', ['cluster/down.sh', CLUSTER], { stdio: 'ignore' })
  }
}

export async function faultFigures(): Promise<string[]> {
  return [...(await onSimulator()), ...(await onControlPlane())]
}
