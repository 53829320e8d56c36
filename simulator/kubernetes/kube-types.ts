/**
 * Loose typed views of the Kubernetes objects the simulated controllers read and write.
 * Only the fields the simulator touches are named; everything else passes through untouched
 * (the index signatures), exactly as the apiserver keeps fields it does not interpret.
 */

export interface OwnerReference {
  apiVersion: string
  kind: string
  name: string
  uid: string
  controller?: boolean
  blockOwnerDeletion?: boolean
}

export interface ObjectMeta {
  name?: string
  generateName?: string
  namespace?: string
  uid?: string
  resourceVersion?: string
  generation?: number
  creationTimestamp?: string
  deletionTimestamp?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
  ownerReferences?: OwnerReference[]
  finalizers?: string[]
  [key: string]: unknown
}

export interface KubeObject {
  apiVersion?: string
  kind?: string
  metadata: ObjectMeta
  [key: string]: unknown
}

export interface LabelSelectorRequirement {
  key: string
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'
  values?: string[]
}

export interface LabelSelector {
  matchLabels?: Record<string, string>
  matchExpressions?: LabelSelectorRequirement[]
}

export interface Container {
  name: string
  image?: string
  imagePullPolicy?: string
  restartPolicy?: string
  ports?: Array<Record<string, unknown>>
  [key: string]: unknown
}

export interface PodSpec {
  containers: Container[]
  initContainers?: Container[]
  nodeName?: string
  restartPolicy?: string
  affinity?: Record<string, unknown>
  [key: string]: unknown
}

export interface PodTemplateSpec {
  metadata?: ObjectMeta
  spec: PodSpec
}

export interface Condition {
  type: string
  status: 'True' | 'False' | 'Unknown'
  reason?: string
  message?: string
  lastTransitionTime?: string
  lastUpdateTime?: string
  lastProbeTime?: string | null
  observedGeneration?: number
}

export interface ContainerState {
  waiting?: { reason: string; message?: string }
  running?: { startedAt: string }
  terminated?: {
    exitCode: number
    reason: string
    message?: string
    startedAt: string
    finishedAt: string
    containerID?: string
  }
}

export interface ContainerStatus {
  name: string
  image: string
  imageID: string
  containerID?: string
  ready: boolean
  started?: boolean
  restartCount: number
  state: ContainerState
  lastState: ContainerState
}

export interface PodStatus {
  phase?: string
  conditions?: Condition[]
  hostIP?: string
  hostIPs?: Array<{ ip: string }>
  podIP?: string
  podIPs?: Array<{ ip: string }>
  startTime?: string
  qosClass?: string
  containerStatuses?: ContainerStatus[]
  initContainerStatuses?: ContainerStatus[]
  [key: string]: unknown
}

export interface Pod extends KubeObject {
  spec: PodSpec
  status?: PodStatus
}

export type IntOrString = number | string

export interface DeploymentSpec {
  replicas?: number
  selector: LabelSelector
  template: PodTemplateSpec
  strategy?: {
    type?: 'RollingUpdate' | 'Recreate'
    rollingUpdate?: { maxSurge?: IntOrString; maxUnavailable?: IntOrString }
  }
  minReadySeconds?: number
  revisionHistoryLimit?: number
  progressDeadlineSeconds?: number
  paused?: boolean
  [key: string]: unknown
}

export interface DeploymentStatus {
  observedGeneration?: number
  replicas?: number
  updatedReplicas?: number
  readyReplicas?: number
  availableReplicas?: number
  unavailableReplicas?: number
  conditions?: Condition[]
  collisionCount?: number
  [key: string]: unknown
}

export interface Deployment extends KubeObject {
  spec: DeploymentSpec
  status?: DeploymentStatus
}

export interface ReplicaSet extends KubeObject {
  spec: { replicas?: number; minReadySeconds?: number; selector: LabelSelector; template: PodTemplateSpec }
  status?: {
    replicas?: number
    fullyLabeledReplicas?: number
    readyReplicas?: number
    availableReplicas?: number
    observedGeneration?: number
    conditions?: Condition[]
    [key: string]: unknown
  }
}

export interface StatefulSet extends KubeObject {
  spec: {
    replicas?: number
    selector: LabelSelector
    template: PodTemplateSpec
    serviceName?: string
    podManagementPolicy?: 'OrderedReady' | 'Parallel'
    updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { partition?: number } }
    revisionHistoryLimit?: number
    minReadySeconds?: number
    [key: string]: unknown
  }
  status?: Record<string, unknown>
}

export interface DaemonSet extends KubeObject {
  spec: {
    selector: LabelSelector
    template: PodTemplateSpec
    updateStrategy?: {
      type?: 'RollingUpdate' | 'OnDelete'
      rollingUpdate?: { maxUnavailable?: IntOrString; maxSurge?: IntOrString }
    }
    revisionHistoryLimit?: number
    minReadySeconds?: number
    [key: string]: unknown
  }
  status?: Record<string, unknown>
}

export interface ControllerRevision extends KubeObject {
  data: { spec: { template: Record<string, unknown> } }
  revision: number
}

export interface PodDisruptionBudget extends KubeObject {
  spec: { selector?: LabelSelector | null; minAvailable?: IntOrString; maxUnavailable?: IntOrString }
  status?: Record<string, unknown>
}

export interface CoreEvent extends KubeObject {
  involvedObject: {
    kind?: string
    namespace?: string
    name?: string
    uid?: string
    apiVersion?: string
    resourceVersion?: string
    fieldPath?: string
  }
  reason?: string
  message?: string
  type?: string
  count?: number
  firstTimestamp?: string | null
  lastTimestamp?: string | null
  source?: { component?: string; host?: string }
}
