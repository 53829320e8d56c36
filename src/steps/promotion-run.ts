import type { PullRequestRef } from '../gitops/delivery/manifest-repository.js'
import type { DeploymentRecords, DeploymentState } from '../github/deployment-record.js'
import type { GitOpsChange } from './gitops/gitops-change.js'
import type { GitHubClients } from '../github/run-clients.js'
import type { ImageReference } from '../image/image-reference.js'
import type { KubernetesConnection } from '../kubernetes/api/client-factory.js'
import type { WorkloadApi } from '../kubernetes/api/kubernetes-api.js'
import type { Clock } from '../runtime/clock.js'
import type { StageContext } from '../runtime/run-stage.js'
import type { PromoteSettings } from '../settings/promote-settings.js'
import type { ClusterConnector, ConnectedCluster } from '../targets/connect-clusters.js'
import type { PlannedTarget } from './plan/promotion-plan.js'
import type { WavesResult } from './waves/run-waves.js'

/** Replaceable side effects, for the demo, the bench and tests; defaults are the real ones. */
export interface PromotionServices {
  clock: Clock
  /** Builds the Kubernetes API of a connection (e.g. to count requests). */
  makeApi?: (connection: KubernetesConnection) => WorkloadApi
  /** The GitHub Deployment records; default: from the github-token input (none without a token). */
  deploymentRecords?: DeploymentRecords | null
  /** How often to look again while another run's GitHub Deployment is in progress. */
  deploymentPollMs?: number
  /** GitOps merge: auto: how often to look at the pull request while waiting for its merge. */
  mergePollMs?: number
  /**
   * Given, a promotion that succeeded hands its environment lock here instead of releasing it
   * (still renewed, still in the post step's state), so the caller can hold it through verify,
   * which may roll back (`stage: all`). `lost` aborts, with the reason as a message, if the
   * Lease is lost meanwhile. A failed or cancelled promotion releases the lock as usual.
   */
  keepLock?: (release: () => Promise<void>, lost: AbortSignal) => void
  /** The gates ran in this step and passed (stage: all): the provenance step need not look them up. */
  gatesPassed?: boolean
}

/** How the promotion's GitHub Deployment record is closed, when a step knows better than the default. */
export interface RecordOutcome {
  state: DeploymentState
  description: string
  /** The record's log link; default the run's page (GitOps: the pull request while it awaits merge). */
  logUrl?: string
}

/** What the run's end handlers learn: whether a step failed, and with what. */
export interface RunEnd {
  failure: unknown
}

/**
 * What the steps of one promotion share: the stage's runner IO, the settings, the clients, and
 * what earlier steps found (the image, the record, the plan, the waves). A step reads what the
 * steps before it wrote; each field says which step writes it.
 */
export class PromotionRun {
  readonly logger: StageContext['logger']
  readonly io: StageContext['io']
  readonly workflow: StageContext['workflow']
  readonly env: StageContext['env']
  readonly signal: AbortSignal
  readonly clock: Clock
  /**
   * Aborted, with the loss as its reason, if a held Lease is lost: from then on another run may
   * be promoting this environment (the lock step arms it; the waves step stops on it).
   */
  readonly fence = new AbortController()

  /** The image step. */
  image: ImageReference | undefined
  /** The record step: the GitHub Deployment record of this promotion. */
  deploymentId: number | undefined
  /** The plan step. */
  plans: PlannedTarget[] | undefined
  /** The waves step. */
  waves: WavesResult | undefined
  /** The report step (and the GitOps steps): how the record closes. */
  outcome: RecordOutcome | undefined
  /** The record step: who reviewed this run's deployment to the environment (`@login approved ("comment")`). */
  approvals: string[] = []
  /** The report steps: the `result` output. */
  result: string | undefined
  /**
   * GitOps: what the edit step changes (the files, the edits, the manifests repository), and
   * what the deliver and merge steps did (`deliveredSha`, `merged`: the commit on the base
   * branch that holds the promotion, for the sync wait).
   */
  gitops: GitOpsChange | undefined
  /** GitOps: the promotion's pull request. */
  pullRequest: PullRequestRef | undefined
  pullRequestUrl: string | undefined

  private readonly endHandlers: Array<(end: RunEnd) => Promise<void>> = []
  private recordsOnce: Promise<DeploymentRecords | null> | undefined

  constructor(
    context: StageContext,
    readonly settings: PromoteSettings,
    readonly services: PromotionServices,
    /** The clusters of the environment (none in GitOps mode). */
    readonly clusters: ConnectedCluster[],
    readonly connector: ClusterConnector,
    readonly github: () => Promise<GitHubClients | undefined>
  ) {
    this.logger = context.logger
    this.io = context.io
    this.workflow = context.workflow
    this.env = context.env
    this.signal = context.signal
    this.clock = services.clock
  }

  get environment(): PromoteSettings['environment'] {
    return this.settings.environment
  }

  /** The promoted image; steps after the image step may rely on it. */
  get promotedImage(): ImageReference {
    if (!this.image) throw new Error('the image step has not run')
    return this.image
  }

  /** The Deployment records (none without a token, with a warning, or as the services say). */
  records(): Promise<DeploymentRecords | null> {
    return (this.recordsOnce ??=
      this.services.deploymentRecords !== undefined
        ? Promise.resolve(this.services.deploymentRecords)
        : this.github().then((clients) => {
            if (clients) return clients.deployments
            this.logger.warning('No github-token: no GitHub Deployment is recorded for this promotion')
            return null
          }))
  }

  /**
   * What to do when the steps are over, however they ended (close the record, release the
   * lock). Handlers run in the reverse order of registration, after the last step.
   */
  onEnd(handler: (end: RunEnd) => Promise<void>): void {
    this.endHandlers.push(handler)
  }

  /** The registered end handlers, last registered first (run-steps.ts calls them). */
  takeEndHandlers(): Array<(end: RunEnd) => Promise<void>> {
    return this.endHandlers.splice(0).reverse()
  }
}
