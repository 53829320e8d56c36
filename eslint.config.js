import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'cluster/', '.tmp/', 'schema/'] },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } }
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', performance: 'readonly' }
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { disallowTypeAnnotations: false }],
      // Code logs through the Logger it is given and talks to the runner through the ActionIO it
      // is given: only src/runtime (runner-io.ts) speaks to the runner, through @actions/core.
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@actions/core',
              message: 'Use the Logger/ActionIO passed in (src/runtime/runner-io.ts wraps @actions/core).'
            }
          ]
        }
      ]
    }
  },
  {
    // src/runtime adapts @actions/core to Logger/ActionIO; the conformance test compares the
    // adapter with @actions/core, and the start-up benchmark's yardsticks measure it alone.
    files: ['src/runtime/**/*.ts', 'bench/reference/*.ts', 'test/runtime/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' }
  }
)
