import { existsSync, readFileSync } from 'node:fs'
import { isIPv6 } from 'node:net'
import path from 'node:path'
import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node'
import { ConfigurationError } from '../../runtime/errors.js'
import { reuseConnections } from './connection-reuse.js'

/**
 * Builds the KubeConfig the action talks to the cluster with, from (first match wins):
 * 1. kubeconfig content passed as an input (plain YAML, or base64 of it, as people often store it);
 * 2. the KUBECONFIG variable (files merged by kubectl's rules, see loadFiles);
 * 3. in-cluster service account (a self-hosted runner running as a pod).
 * `~/.kube/config` is deliberately not read: a runner's stray home config must never be used
 * by accident for a production promotion.
 *
 * Exec credential plugins (`users[].user.exec`: aws eks get-token, gke-gcloud-auth-plugin,
 * kubelogin) are kept and run by client-node at request time.
 *
 * The kubeconfig text is never printed, not even in parse errors (YAML errors quote the
 * source). `secrets` lists every credential value found, for the caller to mask before it logs.
 */
export interface KubeConfigOptions {
  /** Kubeconfig file content (YAML or base64-encoded YAML). Empty or undefined = not given. */
  kubeconfig?: string
  /** Context to use instead of the file's current-context. */
  context?: string
  /** Environment to read KUBECONFIG / KUBERNETES_SERVICE_HOST from; defaults to process.env. */
  env?: Record<string, string | undefined>
  /** Root under which /var/run/secrets/kubernetes.io/serviceaccount lives (tests). */
  serviceAccountRoot?: string
  /** How the caller names its inputs in errors. */
  inputNames?: { kubeconfig?: string; context?: string }
}

export type KubeConfigSource = 'input' | 'KUBECONFIG' | 'in-cluster'

export interface KubernetesConnection {
  kubeConfig: KubeConfig
  source: KubeConfigSource
  context: string
  /** API server URL of the selected context's cluster. */
  server: string
  /** Namespace named by the selected context, if any. */
  namespace?: string
  /** Credential values (tokens, private keys, passwords, auth-provider tokens) to mask. Never empty strings. */
  secrets: string[]
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount'

/** Whether createKubeConfig would find a kubeconfig at all: the input, KUBECONFIG, or a service account inside a cluster. */
export function hasKubeConfigSource(
  options: Pick<KubeConfigOptions, 'kubeconfig' | 'env' | 'serviceAccountRoot'>
): boolean {
  const env = options.env ?? process.env
  return (
    !!options.kubeconfig?.trim() ||
    !!env.KUBECONFIG?.trim() ||
    (!!env.KUBERNETES_SERVICE_HOST && existsSync(serviceAccountPath(options, 'token')))
  )
}

export function createKubeConfig(options: KubeConfigOptions = {}): KubernetesConnection {
  const env = options.env ?? process.env
  const kubeconfigInput = options.inputNames?.kubeconfig ?? 'input kubeconfig'
  const contextInput = options.inputNames?.context ?? 'input context'
  const kubeConfig = new KubeConfig()
  let source: KubeConfigSource

  if (options.kubeconfig !== undefined && options.kubeconfig.trim() !== '') {
    source = 'input'
    loadContent(kubeConfig, decodeIfBase64(options.kubeconfig), kubeconfigInput)
  } else if (env.KUBECONFIG !== undefined && env.KUBECONFIG.trim() !== '') {
    source = 'KUBECONFIG'
    loadFiles(
      kubeConfig,
      env.KUBECONFIG.split(path.delimiter).filter((file) => file.trim() !== '')
    )
  } else if (env.KUBERNETES_SERVICE_HOST && existsSync(serviceAccountPath(options, 'token'))) {
    source = 'in-cluster'
    loadInCluster(kubeConfig, env, options.serviceAccountRoot ?? '')
  } else {
    throw new ConfigurationError([
      {
        path: kubeconfigInput,
        expected:
          'a kubeconfig (the input, the KUBECONFIG variable, or a runner inside the cluster with a service account token)'
      }
    ])
  }

  if (options.context !== undefined && options.context !== '') {
    if (kubeConfig.getContextObject(options.context) === null) {
      throw new ConfigurationError([
        {
          path: contextInput,
          value: options.context,
          expected: `one of the kubeconfig's contexts: ${listContexts(kubeConfig)}`
        }
      ])
    }
    kubeConfig.setCurrentContext(options.context)
  }

  const context = kubeConfig.getContextObject(kubeConfig.getCurrentContext())
  if (context === null) {
    throw new ConfigurationError([
      {
        path: kubeconfigInput,
        value: kubeConfig.getCurrentContext()
          ? `current-context ${kubeConfig.getCurrentContext()}`
          : 'no current-context',
        expected: `a current-context naming one of its contexts (${listContexts(kubeConfig)}), or the ${contextInput}`
      }
    ])
  }
  const cluster = kubeConfig.getCluster(context.cluster)
  if (cluster === null) {
    throw new ConfigurationError([
      {
        path: kubeconfigInput,
        value: `context ${context.name}`,
        expected: `a cluster named ${JSON.stringify(context.cluster)}`
      }
    ])
  }

  const secrets = collectSecrets(
    kubeConfig,
    source === 'in-cluster' ? serviceAccountPath(options, 'token') : undefined
  )
  return {
    kubeConfig: reuseConnections(kubeConfig),
    source,
    context: context.name,
    server: cluster.server,
    ...(context.namespace ? { namespace: context.namespace } : {}),
    secrets
  }
}

/** Every credential value in `kubeConfig` that must never appear in a log. */
export function collectSecrets(kubeConfig: KubeConfig, tokenFile?: string): string[] {
  const secrets = new Set<string>()
  const add = (value: unknown) => {
    if (typeof value !== 'string') return
    const trimmed = value.trim()
    if (trimmed.length === 0) return
    secrets.add(trimmed)
  }
  for (const user of kubeConfig.getUsers()) {
    add(user.token)
    add(user.password)
    addKey(user, add)
    addAuthProvider(user, add)
    addExecEnv(user, add)
  }
  if (tokenFile !== undefined && existsSync(tokenFile)) add(readFileSync(tokenFile, 'utf8'))
  return [...secrets]
}

function addKey(user: User, add: (value: unknown) => void): void {
  if (user.keyData === undefined || user.keyData === null) return
  add(user.keyData)
  // The PEM itself too, and each of its lines, in case something decodes and prints it.
  const pem = Buffer.from(user.keyData, 'base64').toString('utf8')
  if (pem.includes('PRIVATE KEY')) {
    add(pem)
    for (const line of pem.split('\n')) if (!line.startsWith('-----')) add(line)
  }
}

const SECRET_KEY = /token|secret|password|passwd|key|credential/i

function addAuthProvider(user: User, add: (value: unknown) => void): void {
  const config = (user.authProvider as { config?: Record<string, unknown> } | undefined)?.config
  if (!config) return
  for (const [key, value] of Object.entries(config)) {
    if (SECRET_KEY.test(key) && key !== 'tokenFile') add(value)
  }
}

/** Exec plugins may be handed secrets through env (e.g. AWS keys); mask the ones named like secrets. */
function addExecEnv(user: User, add: (value: unknown) => void): void {
  const exec = user.exec as { env?: Array<{ name?: string; value?: string }> } | undefined
  for (const entry of exec?.env ?? []) {
    if (entry.name && SECRET_KEY.test(entry.name)) add(entry.value)
  }
}

function listContexts(kubeConfig: KubeConfig): string {
  const names = kubeConfig.getContexts().map((c) => c.name)
  return names.length > 0 ? names.join(', ') : '(none)'
}

function decodeIfBase64(content: string): string {
  const compact = content.replace(/\s+/g, '')
  if (!/^[A-Za-z0-9+/]+=*$/.test(compact)) return content
  const decoded = Buffer.from(compact, 'base64').toString('utf8')
  return /(^|\n)\s*(apiVersion|clusters|contexts|users|kind)\s*:/.test(decoded) ? decoded : content
}

function loadContent(kubeConfig: KubeConfig, content: string, inputName: string): void {
  try {
    kubeConfig.loadFromString(content)
  } catch (error) {
    throw new ConfigurationError([
      { path: inputName, expected: `a kubeconfig in YAML (${describeLoadError(error)})` }
    ])
  }
  if (kubeConfig.getContexts().length === 0 && kubeConfig.getClusters().length === 0) {
    throw new ConfigurationError([
      { path: inputName, expected: 'a kubeconfig with clusters, users and contexts (none found)' }
    ])
  }
}

/**
 * kubectl's KUBECONFIG merge rules: the first file that sets current-context wins, and the first
 * file to define a cluster/user/context name wins. (client-node's loadFromDefault lets the last
 * file's current-context win and throws on duplicate names; kubectl users expect kubectl's rules.)
 */
function loadFiles(kubeConfig: KubeConfig, files: string[]): void {
  const clusters: Cluster[] = []
  const users: User[] = []
  const contexts: Context[] = []
  let currentContext = ''
  for (const file of files) {
    const loaded = new KubeConfig()
    try {
      loaded.loadFromFile(file)
    } catch (error) {
      throw new ConfigurationError([
        {
          path: 'environment variable KUBECONFIG',
          value: file,
          expected: `a readable kubeconfig file (${describeLoadError(error)})`
        }
      ])
    }
    if (!currentContext && loaded.currentContext) currentContext = loaded.currentContext
    addNew(clusters, loaded.clusters)
    addNew(users, loaded.users)
    addNew(contexts, loaded.contexts)
  }
  kubeConfig.loadFromOptions({ clusters, users, contexts, currentContext })
}

function addNew<T extends { name: string }>(into: T[], items: T[]): void {
  for (const item of items) if (!into.some((existing) => existing.name === item.name)) into.push(item)
}

/** What KubeConfig.loadFromCluster builds, but from the given env rather than process.env. */
function loadInCluster(kubeConfig: KubeConfig, env: Record<string, string | undefined>, root: string): void {
  const host = env.KUBERNETES_SERVICE_HOST ?? ''
  const port = env.KUBERNETES_SERVICE_PORT ?? '443'
  const scheme = port === '80' || port === '8080' || port === '8001' ? 'http' : 'https'
  const serverHost = isIPv6(host) ? `[${host}]` : host
  const namespaceFile = `${root}${SERVICE_ACCOUNT_DIR}/namespace`
  const namespace = existsSync(namespaceFile) ? readFileSync(namespaceFile, 'utf8').trim() : undefined
  kubeConfig.loadFromOptions({
    clusters: [
      {
        name: 'inCluster',
        caFile: `${root}${SERVICE_ACCOUNT_DIR}/ca.crt`,
        server: `${scheme}://${serverHost}:${port}`,
        skipTLSVerify: false
      }
    ],
    // tokenFile: client-node re-reads the token on each request, so projected-token rotation works.
    users: [
      {
        name: 'inClusterUser',
        authProvider: { name: 'tokenFile', config: { tokenFile: `${root}${SERVICE_ACCOUNT_DIR}/token` } }
      }
    ],
    contexts: [
      {
        name: 'inClusterContext',
        cluster: 'inCluster',
        user: 'inClusterUser',
        ...(namespace ? { namespace } : {})
      }
    ],
    currentContext: 'inClusterContext'
  })
}

function serviceAccountPath(options: KubeConfigOptions, file: string): string {
  return `${options.serviceAccountRoot ?? ''}${SERVICE_ACCOUNT_DIR}/${file}`
}

/** A load error without the source text: YAML errors quote the offending lines, which may hold keys. */
function describeLoadError(error: unknown): string {
  const e = error as {
    name?: string
    reason?: string
    mark?: { line?: number; column?: number }
    code?: string
    message?: string
  }
  if (e?.name === 'YAMLException') {
    const where =
      e.mark?.line !== undefined ? ` at line ${e.mark.line + 1}, column ${(e.mark.column ?? 0) + 1}` : ''
    return `YAML syntax error${where}: ${e.reason ?? 'invalid YAML'}`
  }
  if (e?.code === 'ENOENT') return 'file not found'
  if (e?.code === 'EACCES') return 'permission denied'
  const message = typeof e?.message === 'string' ? e.message : String(error)
  // client-node's own validation messages name fields only (e.g. "clusters[0].cluster.server is missing").
  return /^(clusters|users|contexts)\[\d+\][\w.]* is missing$/.test(message)
    ? message
    : 'could not be read as a kubeconfig'
}
