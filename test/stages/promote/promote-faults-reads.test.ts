import { describeFaultsAt } from './support/fault-matrix.js'

describeFaultsAt('reads and watches', [
  'reading a target',
  "listing a target's ReplicaSets",
  'a rollout watch'
])
