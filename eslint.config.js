import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** The libs each lib may import: core ← providers, partners, operators ← connections ← users ← webhooks, tracers ← imap ← cluster; connect and admin on top. */
const BASE = ['core'];
const DOMAIN = [...BASE, 'providers', 'partners', 'operators'];
const MAILBOXES = [...DOMAIN, 'connections', 'users'];
const LIB_DEPENDENCIES = {
  core: [],
  providers: BASE,
  partners: BASE,
  operators: BASE,
  connections: DOMAIN,
  users: [...DOMAIN, 'connections'],
  webhooks: MAILBOXES,
  tracers: MAILBOXES,
  imap: [...MAILBOXES, 'webhooks', 'tracers'],
  cluster: [...MAILBOXES, 'webhooks', 'tracers', 'imap'],
  connect: [...MAILBOXES, 'webhooks', 'tracers', 'imap'],
  admin: [...MAILBOXES, 'webhooks', 'tracers', 'imap', 'cluster', 'connect'],
};

export default tseslint.config(
  { ignores: ['dist/**', 'dist-stress/**', 'stress-results/**', 'node_modules/**', 'coverage/**', '*.js', 'bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'import-x/order': [
        'error',
        {
          groups: ['builtin', 'external', 'internal', ['parent', 'sibling', 'index']],
          pathGroups: [{ pattern: '@app/**', group: 'internal' }],
          pathGroupsExcludedImportTypes: ['builtin'],
          'newlines-between': 'always',
          alphabetize: { order: 'asc', caseInsensitive: true },
        },
      ],
      // A lib is reached only through its public surface: `@app/<lib>`, never a path into it. Its HTTP surface
      // (controllers' modules, DTOs documented for OpenAPI) is `@app/<lib>/http`, so that the roles without
      // the partner API (imap-client, worker) never load @nestjs/swagger (base RSS, docs/PERFORMANCE.md).
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/libs/*/src/**', '../../libs/**', '@app/*/*', '!@app/*/http'],
              message: 'Import a lib as @app/<lib> (or @app/<lib>/http).',
            },
          ],
        },
      ],
    },
  },
  // Each lib imports only the libs below it (ARCHITECTURE.md §2), and only through their public surface.
  ...Object.entries(LIB_DEPENDENCIES).map(([lib, allowed]) => ({
    files: [`libs/${lib}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../../../*', '../../../../*'], message: 'Do not reach into another lib; import @app/<lib>.' },
            { group: ['@app/*/*', '!@app/*/http'], message: 'Import a lib as @app/<lib> (or @app/<lib>/http).' },
            ...Object.keys(LIB_DEPENDENCIES)
              .filter((other) => other !== lib && !allowed.includes(other))
              .map((other) => ({
                group: [`@app/${other}`, `@app/${other}/http`],
                message: `${lib} may import only ${allowed.join(', ') || 'no other lib'}: the lib order is in ARCHITECTURE.md.`,
              })),
          ],
        },
      ],
    },
  })),
  {
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
