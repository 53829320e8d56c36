import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'cluster/', '.tmp/', 'schema/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { disallowTypeAnnotations: false }],
      // Library code logs through the Logger it is given; only the runtime edge touches @actions/core.
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@actions/core',
              message: 'Use the Logger/ActionIO passed in (src/runtime is the only edge).'
            }
          ]
        }
      ]
    }
  },
  {
    // The runtime edge, and the start-up benchmark's yardsticks that measure @actions/core itself.
    files: ['src/runtime/actions-toolkit.ts', 'bench/reference/*.ts'],
    rules: { 'no-restricted-imports': 'off' }
  }
)
