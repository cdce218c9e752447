// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/*
 * Module boundaries, checked on the import path as written (src/ uses relative paths
 * only). A module's persistence/ is its own: `../persistence/x` from inside it is fine,
 * `../../lines/persistence/x` from another module is not; other modules get its use
 * cases and queries. The outbox stores and relays events it does not understand, so it
 * imports no domain: neither lines/ nor any domain/ folder.
 */
const boundary = (regex, message) => ({ regex, message });
const otherModulesPersistence = boundary(
  String.raw`(^|/)[^/.]+/persistence(/|$)`,
  "Another module's persistence/ is private: use its module's use cases and queries.",
);
const restrictImports = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'src/generated/', '.tools/', '.data/', 'coverage/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', '*.mjs', 'prisma/*.mjs', 'bench/*.js'] },
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/unbound-method': 'off',
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // Nest resolves providers by the constructor parameter's runtime type: those imports
    // must stay value imports even where TypeScript only sees them used as types.
    files: ['src/**/*.ts'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  { files: ['src/**/*.ts'], rules: restrictImports(otherModulesPersistence) },
  {
    files: ['src/outbox/**/*.ts'],
    rules: restrictImports(
      otherModulesPersistence,
      boundary(String.raw`(^|/)lines(/|$)`, 'The outbox knows no domain: lines/ builds its own events.'),
      boundary(String.raw`(^|/)domain(/|$)`, 'The outbox knows no domain: it handles OutboxMessage only.'),
    ),
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Response bodies are JSON read over HTTP: tests assert their shape instead of typing it.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
      },
    },
    rules: { 'no-console': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
