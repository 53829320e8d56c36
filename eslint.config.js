import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'cluster/', '.tmp/', 'schema/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', performance: 'readonly' }
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { disallowTypeAnnotations: false }],
      // Code logs through the Logger it is given. @actions/core is not imported at run time: its
      // index loads undici for OIDC at start-up (docs/upstream-notes.md); src/runtime speaks the protocol.
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@actions/core',
              message:
                'Use the Logger/ActionIO passed in (src/runtime/runner-io.ts speaks the runner protocol).'
            }
          ]
        }
      ]
    }
  },
  {
    // The start-up benchmark's yardsticks and the conformance test measure @actions/core itself.
    files: ['bench/reference/*.ts', 'test/runtime/runner-protocol.conformance.test.ts'],
    rules: { 'no-restricted-imports': 'off' }
  }
)
