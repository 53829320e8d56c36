/**
 * The cluster suite: end-to-end tests against the real control plane under cluster/ (kwok, binary
 * runtime) and the Kubernetes contract suite against both the simulator and that cluster.
 * `npm run test:cluster` (runs in band). globalSetup builds (cached: instant) and starts the
 * cluster, globalTeardown (and SIGINT/SIGTERM) stops it.
 */
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/cluster', '<rootDir>/test/contract'],
  testMatch: ['**/*.cluster.test.ts', '**/*.contract.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } }
    ]
  },
  globalSetup: '<rootDir>/test/cluster/support/global-setup.js',
  globalTeardown: '<rootDir>/test/cluster/support/global-teardown.js',
  testTimeout: 120000,
  verbose: true
}
