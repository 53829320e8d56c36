import { availableParallelism } from 'node:os'

/** Jest runs TypeScript as ESM through ts-jest on the Node 24 that npm scripts put first on PATH. */
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/cluster/', 'cluster\\.contract\\.test\\.ts$'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } }
    ]
  },
  testTimeout: 60000,
  // The slow suites mostly wait (GitHub's 1 s spacing of writes, Lease expiry, rollouts), so
  // more workers than cores pay off: on a 2-core machine 3 workers run the suite in ~68 s,
  // Jest's default (cores - 1 = one worker) in ~186 s.
  maxWorkers: Math.max(3, availableParallelism() - 1),
  verbose: false
}
