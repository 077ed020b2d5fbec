// The checks tsc does not make: no silenced type errors, no focused or skipped
// tests left behind, no unused code. Kept small on purpose; tsc --strict does the rest.
import tseslint from 'typescript-eslint';

const focusedOrSkipped = ['it', 'test', 'describe'].flatMap((object) => ['only', 'skip'].map((property) => ({
  object, property, message: 'focused or skipped tests must not be committed',
})));

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', '.hilum/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    // Some modules disable rules of the full typescript-eslint set for readers who run it; not errors here.
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-ignore': true, 'ts-nocheck': true, 'ts-expect-error': 'allow-with-description' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', destructuredArrayIgnorePattern: '^_' }],
      'no-restricted-properties': ['error', ...focusedOrSkipped],
      'no-restricted-globals': ['error', { name: 'fit', message: 'focused test' }, { name: 'fdescribe', message: 'focused test' }, { name: 'xit', message: 'skipped test' }, { name: 'xdescribe', message: 'skipped test' }],
      'no-debugger': 'error',
    },
  },
);
