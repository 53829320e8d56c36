/**
 * The annotations the action and Kubernetes put on workloads and Leases, named once.
 *
 * Ours go on the workload's metadata only, never on the pod template: a template annotation
 * would itself change the template hash (a rollout of its own), and the Deployment controller
 * already copies the Deployment's annotations (change-cause included) onto the new ReplicaSet,
 * so each ReplicaSet records the promotion that created it, and `rollout undo` copies them back.
 */
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause'
/** The Deployment's (and each ReplicaSet's) revision, set by the deployment controller. */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision'
export const SOURCE_SHA_ANNOTATION = 'promote-action.io/source-sha'
/** The run that promoted a workload, and the run that holds a lock's Lease (a waiting run links to it). */
export const RUN_URL_ANNOTATION = 'promote-action.io/run-url'
export const PREVIOUS_IMAGES_ANNOTATION = 'promote-action.io/previous-images'
export const PROMOTED_AT_ANNOTATION = 'promote-action.io/promoted-at'
/**
 * Why a run holds the environment lock's Lease: `promotion` (the promote stage) or `rotation`
 * (the `lock` sub-action, for a secret rotation). Written in the same update that takes the
 * Lease, so whoever reads a held Lease reads its purpose too; it describes the current holder
 * only while `spec.holderIdentity` is set (a released Lease keeps its last holder's).
 */
export const LOCK_PURPOSE_ANNOTATION = 'promote-action.io/purpose'
/** The `lock` sub-action's `reason` input, shown to every promotion that waits (rotations only). */
export const LOCK_REASON_ANNOTATION = 'promote-action.io/reason'
