import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import reactRefresh from 'eslint-plugin-react-refresh';
import jsxA11y from 'eslint-plugin-jsx-a11y';
import globals from 'globals';
import prettier from 'eslint-config-prettier';
import gatescope from './tools/eslint-plugin-gatescope.js';

export default tseslint.config(
  {
    ignores: [
      'dist',
      'coverage',
      'node_modules',
      'test-results',
      'public',
      'src/wasm/build',
      'src/wasm/assembly',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.browser, ...globals.node },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    plugins: {
      'react-hooks': reactHooks,
      'react-refresh': reactRefresh,
      'jsx-a11y': jsxA11y,
      gatescope,
    },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...jsxA11y.flatConfigs.recommended.rules,
      'react-refresh/only-export-components': ['warn', { allowConstantExport: true }],
      'gatescope/no-literal-ui-strings': 'error',
    },
  },
  // The engine is pure numerics: no UI libraries, no Node modules, nothing from
  // outside src/engine (one block per folder depth so relative escapes are caught).
  ...['src/engine/*.ts', 'src/engine/*/*.ts', 'src/engine/*/*/*.ts'].map((files, depth) => ({
    files: [files],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'react',
                'react-*',
                'react/*',
                'zustand',
                'zustand/*',
                'd3',
                'd3-*',
                'katex',
                'i18next',
                'react-i18next',
                'valibot',
                'idb-keyval',
              ],
              message:
                'src/engine is pure numerics: no React, Zustand, D3, KaTeX, i18n or storage.',
            },
            {
              group: ['node:*', 'fs', 'path', 'os'],
              message: 'src/engine runs in browsers and workers: no Node modules.',
            },
            {
              group: ['../'.repeat(depth + 1) + '*'],
              message: 'src/engine may import only from src/engine.',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'document', 'window', 'localStorage', 'navigator'],
    },
  })),
  {
    // Panels never talk to the worker and never import each other.
    files: ['src/panels/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/worker/**', '../../worker/*'],
              message: 'Panels go through the store, never the worker.',
            },
          ],
        },
      ],
    },
  },
  {
    // node:test's describe/test return promises that the test runner itself awaits.
    files: ['tests/e2e/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'test', 'it', 'suite'] },
          ],
        },
      ],
    },
  },
  prettier,
);
