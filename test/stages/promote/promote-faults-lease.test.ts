import { describeFaultsAt } from './support/fault-matrix.js'

describeFaultsAt('the Lease', ['reading the Lease', 'creating the Lease', 'updating the Lease'])
