// Type-aware lint of the suite's TypeScript (`npm run lint`, part of `npm test`): typescript-eslint's
// recommended-type-checked rules, with the type information of tsconfig.json. What matters most are
// the promise rules (no-floating-promises, no-misused-promises, await-thenable): a promise nobody
// awaits is the classic cause of a flaky step, or of a teardown that runs too early.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', '.stack/**', 'reports/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test tracks the tests it is given; test() and describe() need no await.
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }],
      }],
      '@typescript-eslint/no-unused-vars': ['error', {
        argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true,
      }],
      // Not adopted, each for a reason of this code base:
      // capabilities hand their static factory (`this.use(Bounces.forScenario)`), which uses no `this`;
      '@typescript-eslint/unbound-method': 'off',
      // the services' JSON answers are read as the API documents them, typed at the client;
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      // providers implement async interfaces, some of whose methods have nothing to await;
      '@typescript-eslint/require-await': 'off',
      // chai's property assertions (`expect(x).to.be.true`) are expressions.
      '@typescript-eslint/no-unused-expressions': 'off',
    },
  },
);
