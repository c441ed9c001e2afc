import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'scratch/**', 'test-results/**', 'bench-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  // Layering: the folder says which runtime the code may use.
  {
    files: ['electron/core/**/*.ts', 'electron/cli/**/*.ts', 'electron/bridge/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'The core, CLI and bridge run under plain Node: never import electron.' }] }],
    },
  },
  {
    files: ['electron/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'The contract is shared by every front end: no electron.' }, ...nodeBuiltins.map((name) => ({ name, message: 'The contract also runs in the renderer: no Node built-ins.' }))],
        patterns: [{ group: ['**/core/**', '**/main/**', '**/cli/**', '**/bridge/**'], message: 'The contract imports nothing of the implementations.' }],
      }],
    },
  },
  {
    files: ['electron/core/dsp/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'DSP kernels are pure typed-array code.' }, ...nodeBuiltins.map((name) => ({ name, message: 'DSP kernels are pure typed-array code: no Node built-ins.' }))],
        patterns: [{ group: ['sharp', 'better-sqlite3'], message: 'DSP kernels are pure typed-array code.' }],
      }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'react-hooks/set-state-in-effect': 'off',
      // We do not use the React Compiler, so hooks it cannot memoise (TanStack Virtual) are fine.
      'react-hooks/incompatible-library': 'off',
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'The renderer talks to the app only through src/api.ts.' }, ...nodeBuiltins.map((name) => ({ name, message: 'The renderer runs in a sandboxed browser: no Node built-ins.' }))],
        patterns: [
          { group: ['**/electron/core/**', '**/electron/main/**', '**/electron/preload/**', '**/electron/cli/**', '**/electron/bridge/**'], message: 'The renderer may import only the contract, and only its types.' },
          { group: ['**/electron/contract/**'], allowTypeImports: true, message: 'The renderer may import only types from the contract (use "import type").' },
        ],
      }],
    },
  },
);
