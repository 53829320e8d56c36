import type { ResolvedEnvironment } from '../config/schema.js'
import type { CommitChecks } from '../github/commit-checks.js'
import type { GitHubClients } from '../github/run-clients.js'
import type { Clock } from '../runtime/clock.js'
import type { ImageReference } from '../image/image-reference.js'
import type { ConnectedCluster } from '../targets/connect-clusters.js'
import type { LiveObjects } from '../targets/live-objects.js'
import type { Logger } from '../runtime/logger.js'
import type { WorkflowContext } from '../runtime/workflow-context.js'
import type { GateDefinition } from './gate-definition.js'
import type { z } from 'zod'

/** The GitHub clients a gate may use; made once per stage run. */
export interface GateGitHub extends GitHubClients {
  /**
   * The SHA's check runs and commit statuses, read once per round and shared by every gate
   * that needs them (required-checks, migration, the report's own check run).
   */
  commitChecks(): Promise<CommitChecks>
}

export interface GateKubernetes {
  /** A connection per cluster of `environment`, in wave order. */
  clusters(environment: ResolvedEnvironment): Promise<ConnectedCluster[]>
  /**
   * Lists shared by every gate of the run: each kind is read once per cluster, namespace and
   * selector (forgotten before pending gates run again), so a gate that inspects many
   * workloads costs a constant number of requests.
   */
  objects: LiveObjects
}

/**
 * Everything a gate may use. Heavy clients arrive through here rather than as imports, so
 * loading the registry (which the config schema does) costs nothing; the Kubernetes client
 * is loaded only when a gate calls `kubernetes()`.
 */
export interface GateContext {
  /** The environment being promoted into. */
  environment: ResolvedEnvironment
  /** The environment it promotes from, when it names one. */
  upstream: ResolvedEnvironment | undefined
  sha: string
  /** The image being promoted, when the config names one. */
  image: ImageReference | undefined
  workflow: WorkflowContext
  /** The step's environment variables (health check headers read secrets from it). */
  env: NodeJS.ProcessEnv
  github: GateGitHub
  /** Whether cluster credentials exist (kubeconfig input, KUBECONFIG or a service account). */
  kubernetesConfigured: boolean
  kubernetes(): Promise<GateKubernetes>
  clock: Clock
  /** Prefixed with the gate's name, since gates run concurrently. */
  logger: Logger
  /** Aborted when the stage times out or the run is cancelled. */
  signal: AbortSignal
  /** The freeze-override input: a reason to promote inside a freeze window. */
  freezeOverride: string | undefined
  /** The name of the action's own check run, which no gate should count. */
  ownCheckRunName: string
  /** Resolves a path the user wrote in the config against the workspace. */
  resolvePath(path: string): string
}

export type Gate<Schema extends z.ZodType = z.ZodType> = GateDefinition<Schema, GateContext>

/** Declares a gate with its settings type inferred from the schema. */
export function defineGate<Schema extends z.ZodType>(gate: Gate<Schema>): Gate<Schema> {
  return gate
}
