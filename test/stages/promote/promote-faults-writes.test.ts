import { describeFaultsAt } from './support/fault-matrix.js'

describeFaultsAt('the dry run and the patch', ['the server-side dry run', 'the patch'])
