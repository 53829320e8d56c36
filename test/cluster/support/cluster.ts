/* eslint-disable @typescript-eslint/no-explicit-any -- raw Kubernetes API JSON, read field by field */
/** Helpers for tests against the real cluster started by global-setup.js (cluster/up.sh). */
import { execFile, execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
export const K8S_VERSION = 'v1.36.3'
export const CACHE_ROOT = process.env['PROMOTE_ACTION_CACHE'] ?? join(homedir(), '.cache', 'promote-action')
export const BIN = join(CACHE_ROOT, `k8s-${K8S_VERSION}`, 'bin')
export const KUBECTL = join(BIN, 'kubectl')

/** The admin kubeconfig path (set by global-setup.js). */
export function adminKubeconfig(): string {
  const path = process.env['PROMOTE_ACTION_TEST_KUBECONFIG']
  if (!path || !existsSync(path))
    throw new Error('no test cluster: run through `npm run test:cluster` (jest.cluster.config.js starts it)')
  return path
}

export function clusterAvailable(): boolean {
  const path = process.env['PROMOTE_ACTION_TEST_KUBECONFIG']
  return !!path && existsSync(path)
}

/** kubectl as the cluster admin; returns stdout. */
export async function kubectl(args: string[], input?: string, kubeconfig = adminKubeconfig()): Promise<string> {
  if (input === undefined) {
    const { stdout } = await run(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { maxBuffer: 32 << 20 })
    return stdout
  }
  return execFileSync(KUBECTL, ['--kubeconfig', kubeconfig, ...args], {
    input,
    encoding: 'utf8',
    maxBuffer: 32 << 20,
    stdio: ['pipe', 'pipe', 'pipe']
  })
}

export async function getJson<T = any>(resource: string, namespace: string, name?: string): Promise<T> {
  return JSON.parse(await kubectl(['get', resource, ...(name ? [name] : []), '-n', namespace, '-o', 'json'])) as T
}

export async function apply(manifest: object): Promise<void> {
  await kubectl(['apply', '-f', '-'], JSON.stringify(manifest))
}

export interface TestNamespace {
  name: string
  /** Path of the least-privilege ServiceAccount kubeconfig for this namespace. */
  saKubeconfigPath: string
  /** Its content (what the action gets as its `kubeconfig` input). */
  saKubeconfig: string
  dispose(): Promise<void>
}

let counter = 0
/**
 * A fresh namespace with the Role of cluster/rbac/promote-action-role.yaml applied and a
 * ServiceAccount kubeconfig minted by cluster/serviceaccount-kubeconfig.sh (TokenRequest API).
 */
export async function createTestNamespace(prefix: string): Promise<TestNamespace> {
  const name = `${prefix}-${process.pid % 10000}-${Date.now() % 100000}-${++counter}`.slice(0, 63)
  const dir = mkdtempSync(join(tmpdir(), 'promote-cluster-'))
  const saKubeconfigPath = join(dir, 'sa.kubeconfig.yaml')
  await kubectl(['create', 'namespace', name])
  await run('bash', [resolve('cluster/serviceaccount-kubeconfig.sh'), name, saKubeconfigPath], {
    env: { ...process.env, ADMIN_KUBECONFIG: adminKubeconfig() }
  })
  return {
    name,
    saKubeconfigPath,
    saKubeconfig: readFileSync(saKubeconfigPath, 'utf8'),
    async dispose() {
      rmSync(dir, { recursive: true, force: true })
      await kubectl(['delete', 'namespace', name, '--wait=false']).catch(() => undefined)
    }
  }
}

/** Polls until `check` returns a value (not undefined), or throws after timeoutMs. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const started = Date.now()
  let last: unknown
  for (;;) {
    try {
      const value = await check()
      if (value !== undefined) return value
    } catch (error) {
      last = error
    }
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** Waits for `kubectl rollout status` of a workload (admin). */
export async function rolloutStatus(kind: string, name: string, namespace: string, timeout = '60s'): Promise<void> {
  await kubectl(['rollout', 'status', `${kind}/${name}`, '-n', namespace, `--timeout=${timeout}`])
}
