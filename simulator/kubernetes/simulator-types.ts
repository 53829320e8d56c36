/** The public surface of the Kubernetes API simulator: options, behaviours, logs, the handle. */

/** What the simulated kubelet does with a container running a given image. */
export type ImageBehaviour =
  /** The container starts and turns Ready after `delayMs` (default 20). */
  | { kind: 'ready'; delayMs?: number }
  /** ContainerCreating, then ErrImagePull after `afterMs` (default 20), then ImagePullBackOff. */
  | { kind: 'image-pull-backoff'; afterMs?: number }
  /**
   * Starts after `afterMs` (default 20), exits with code 1, and restarts with a growing
   * (scaled-down) back-off: Running but not Ready, CrashLoopBackOff, restartCount rising,
   * lastState.terminated {exitCode: 1, reason: 'Error'}.
   */
  | { kind: 'crash-loop'; afterMs?: number }
  /** Running and started, readiness never passes. */
  | { kind: 'never-ready' }
  /** Waiting with CreateContainerConfigError (default message: configmap "app-config" not found). */
  | { kind: 'create-container-config-error'; message?: string }
  /** Waiting with InvalidImageName. */
  | { kind: 'invalid-image-name' }

export interface KubernetesSimulatorOptions {
  /** Bearer token required on every request (default: random). Anything else gets 401. */
  token?: string
  /** The user name the default token authenticates as (default `admin`). */
  user?: string
  /** Namespaces to create at start, besides default, kube-system, kube-public and kube-node-lease. */
  namespaces?: string[]
  /** Behaviour of images no rule matches (default `{ kind: 'ready', delayMs: 20 }`). */
  defaultImageBehaviour?: ImageBehaviour
  /** How often the simulated controllers and kubelet run, in ms (default 10). */
  controllerTickMs?: number
  /** Number of simulated nodes (default 3); DaemonSets schedule one pod per node. */
  nodeCount?: number
  /** How many changes the watch history keeps (default 10000); older resourceVersions get 410 Expired. */
  watchHistoryLimit?: number
  /** How often watches that allow bookmarks get a BOOKMARK, in ms (default 1000). */
  bookmarkIntervalMs?: number
  /**
   * CustomResourceDefinitions (apiextensions.k8s.io/v1 objects) to install at start, for example
   * `readCustomResourceDefinitions('cluster/crds')`. Their resources are served at once.
   */
  customResourceDefinitions?: object[]
}

export interface RequestLogEntry {
  time: number
  method: string
  /** The URL path without the query string. */
  path: string
  query: Record<string, string>
  contentType?: string
  dryRun: boolean
  status: number
  /** The authenticated user; absent when authentication failed. */
  user?: string
}

/** One write that changed stored state through the HTTP API (dry runs and no-op writes excluded). */
export interface WriteLogEntry {
  time: number
  verb: 'create' | 'update' | 'patch' | 'delete'
  /** The plural resource name, e.g. `deployments`. */
  resource: string
  /** `status` or `scale` when the write went to a subresource. */
  subresource?: string
  namespace?: string
  name: string
  user?: string
}

/**
 * Requests to refuse with 403 Forbidden. `verb` is an RBAC verb (get, list, watch, create,
 * update, patch, delete, deletecollection) or `*`; `resource` is a plural resource name,
 * optionally with a subresource (`deployments/status`), or `*`. Omitted fields match anything.
 */
export interface DenyRule {
  verb: string
  resource: string
  namespace?: string
  user?: string
  name?: string
}

export interface KubeconfigOptions {
  /** The context's default namespace. */
  namespace?: string
  /** Authenticate as this user (a token for the user is minted); default: the simulator's own user. */
  user?: string
}

export interface KubernetesSimulator {
  /** `http://127.0.0.1:<port>` */
  url: string
  /** The bearer token of the default user. */
  token: string
  /** Kubeconfig YAML: cluster and current context `simulator`, one user (named after the user) with a bearer token. */
  kubeconfig(options?: KubeconfigOptions): string
  /** The bearer token that authenticates as `user`. */
  tokenFor(user: string): string
  /**
   * Rules are checked newest first. A string matches the full image reference exactly, or
   * as a prefix that ends where the reference continues with `:` (tag) or `@` (digest):
   * `ghcr.io/acme/app` matches `ghcr.io/acme/app:1.2` but not `ghcr.io/acme/app-worker:1.2`.
   * A string ending in `/` or `:` matches any reference starting with it. A RegExp is tested
   * against the full reference. Behaviour is fixed for a pod when it is scheduled.
   */
  setImageBehaviour(image: string | RegExp, behaviour: ImageBehaviour): void
  /** imageID reported for the exact image reference: `<repository>@<digest>`. */
  setImageDigest(image: string, digest: string): void
  /**
   * Seeds an object as if created through the API (uid, resourceVersion, generation, defaults,
   * admission). Custom objects can be seeded once their CRD exists.
   */
  create(object: object): object
  /** Replaces an object as an unconditional update (status kept unless the type has no status subresource). */
  update(object: object): object
  /**
   * `resource` may be `deployments`, `Deployment`, `apps/v1/deployments`, `deployments.apps`,
   * `applications.argoproj.io`, `app`, ...
   */
  get(resource: string, namespace: string | undefined, name: string): object | undefined
  list(resource: string, namespace?: string): object[]
  delete(resource: string, namespace: string | undefined, name: string): void
  requestLog: RequestLogEntry[]
  writeLog: WriteLogEntry[]
  denyRequests(rule: DenyRule): void
  /** Removes every deny rule. */
  allowAllRequests(): void
  /** Drops all watch history: a watch from any earlier resourceVersion gets 410 Expired. */
  compactWatchHistory(): void
  /** Current cluster-wide resourceVersion. */
  resourceVersion(): string
  /** Freezes the controllers and kubelet (API requests are still served). */
  pause(): void
  resume(): void
  /** Stops the server, ends open watches and the controllers. */
  close(): Promise<void>
}
