// `npm run lint`: ESLint with typescript-eslint (its recommended rules, plus the type-aware ones that catch a promise
// nobody awaits and an `any` that flows on unchecked), then Prettier's check (lines ≤ 120). Formatting is Prettier's
// (`npm run format`), not ESLint's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const unsafeAny = [
  '@typescript-eslint/no-unsafe-assignment',
  '@typescript-eslint/no-unsafe-member-access',
  '@typescript-eslint/no-unsafe-call',
  '@typescript-eslint/no-unsafe-return',
  '@typescript-eslint/no-unsafe-argument',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'coverage/**', 'src/web/src/gql/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // TypeScript checks names itself (and knows Node's and the DOM's globals); ESLint's no-undef does not.
      'no-undef': 'off',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false, attributes: false } },
      ],
      ...Object.fromEntries(unsafeAny.map((r) => [r, 'error'])),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests and benchmarks read GraphQL answers as parsed JSON (`any` by nature) and assert on their shape; typing
    // every answer would rewrite the assertions, so the unsafe-any rules apply to the product's code only.
    files: ['test/**', 'examples/**'],
    rules: {
      ...Object.fromEntries(unsafeAny.map((r) => [r, 'off'])),
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  { files: ['**/*.mjs', '**/*.js'], extends: [tseslint.configs.disableTypeChecked] },
  {
    // Lines ≤ 120 where Prettier cannot break them (long strings, template literals, comments): split or rewrap them.
    rules: { 'max-len': ['error', { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true }] },
  },
);
