// ESLint (flat config) with typed linting. A small set of rules, each one catching a real bug or
// guarding a boundary of the tree; `tsc --noEmit` does the type-checking, `npm run lint` runs this,
// and `npm test` runs both beside vitest.
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** Workflow code runs in Temporal's deterministic sandbox, bundled on its own (docs/design.md §2). */
const WORKFLOW_SAFE = 'Workflow code runs in the Temporal sandbox: it may import values only from @temporalio/workflow, @temporalio/common and other workflow modules (workflows/*). Activities, services, db, node: built-ins and I/O libraries are reached through proxyActivities; import their types with `import type`.';

/** A relative import that lands in dev/ or test/, from any depth. */
const DEV_OR_TEST = String.raw`^\.{1,2}/(?:\.\./)*(?:dev|test)/`;
const NOT_SHIPPED = 'Shipped code must not import development-only code (dev/) or tests (test/): the worker and console images leave dev/ out. Move what both need into lib/ (or config/).';
const notShipped = { regex: DEV_OR_TEST, message: NOT_SHIPPED };

export default defineConfig(
  { ignores: ['node_modules/', '.data/', '.venv/', 'dist/', 'db/migrations/'] },

  {
    files: ['**/*.ts', '**/*.mjs', '**/*.cjs', '**/*.js'],
    extends: [tseslint.configs.base],
    languageOptions: {
      parserOptions: {
        projectService: {
          // The few JavaScript entry points are not in tsconfig.json; they get a default project.
          allowDefaultProject: ['eslint.config.js', 'bin/*.mjs', 'scripts/*.mjs', 'lib/codec/*.cjs'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A promise nobody awaits loses its rejection (an unhandled rejection ends the process) and its
      // ordering. Await it, or write `void` with a comment saying why fire-and-forget is intended.
      '@typescript-eslint/no-floating-promises': 'error',
      // An async function where a void callback is expected (event handlers, forEach, setTimeout)
      // is a floating promise in disguise; a promise in a condition is always truthy.
      '@typescript-eslint/no-misused-promises': 'error',
      // `await` on something that is not a promise is a mistake about what a function returns.
      '@typescript-eslint/await-thenable': 'error',
      // `return promise` inside try/catch skips the catch and the finally's ordering.
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      // `any` switches the type-checker off for everything it touches; the few deliberate ones say why.
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },

  // Shipped code (everything but dev/ and test/) never imports development-only code nor tests.
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.cjs', '**/*.js'],
    ignores: ['dev/**', 'test/**', 'vitest.config.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [notShipped] }],
      'no-restricted-syntax': ['error', { selector: `ImportExpression[source.value=/${DEV_OR_TEST.replaceAll('/', '\\/')}/]`, message: NOT_SHIPPED }],
    },
  },

  // Workflow code imports only workflow-safe modules; everything else as types only.
  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            notShipped,
            // Leaving workflows/ (activities, services, db, rules, lib, config…): types only. (A type
            // import that any allowTypeImports pattern matches skips every pattern: dev/ and test/
            // are left out here so that notShipped still refuses them.)
            { regex: String.raw`^\.\./(?!(?:\.\./)*(?:dev|test)/)`, allowTypeImports: true, message: WORKFLOW_SAFE },
            // Packages and node: built-ins, except the workflow-side Temporal packages.
            { regex: String.raw`^(?!\.|@temporalio/(?:workflow|common)(?:/|$))`, allowTypeImports: true, message: WORKFLOW_SAFE },
          ],
        },
      ],
    },
  },

  // The contract file is shared by clients, activities and workflows: it imports nothing from
  // activities, not even types, so the dependency points one way.
  {
    files: ['workflows/contracts.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            notShipped,
            { regex: String.raw`^\.\./activities/`, message: 'The contract file imports nothing from activities/ (not even types): the types it shares live in it, or in rules/.' },
            { regex: String.raw`^\.\./(?!activities/|(?:\.\./)*(?:dev|test)/)`, allowTypeImports: true, message: WORKFLOW_SAFE },
            { regex: String.raw`^(?!\.|@temporalio/(?:workflow|common)(?:/|$))`, allowTypeImports: true, message: WORKFLOW_SAFE },
          ],
        },
      ],
    },
  },
);
