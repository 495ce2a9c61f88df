// Lint: type-aware rules for our TypeScript; one network choke point (src/http.ts).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-globals': ['error', { name: 'fetch', message: 'All HTTP goes through src/http.ts.' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/http.ts', 'src/http-native.ts', 'src/http-transport.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'undici', message: 'All HTTP goes through src/http.ts.' },
          { name: 'node:http', message: 'All HTTP goes through src/http.ts.' },
          { name: 'node:https', message: 'All HTTP goes through src/http.ts.' },
        ],
      }],
    },
  },
  {
    // The npm bin entries (bin/): CommonJS that old Node.js releases still parse.
    files: ['bin/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', __filename: 'readonly', process: 'readonly', console: 'readonly', Buffer: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
