import nx from '@nx/eslint-plugin';

// Packages that only server code may use: a pure library, the contracts, the recorder or the
// console importing one of these is a design error that lint must catch.
const serverOnly = ['@nestjs/*', 'typeorm', 'bullmq', 'ioredis', 'pg', 'fastify', '@fastify/*', '@electric-sql/*', '@node-rs/*'];
const uiOnly = ['react', 'react-dom', 'react-dom/*', 'react-router'];

const boundaries = {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: [
      { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'], bannedExternalImports: [...serverOnly, ...uiOnly] },
      { sourceTag: 'type:pure', onlyDependOnLibsWithTags: ['type:contracts', 'type:pure'], bannedExternalImports: [...serverOnly, ...uiOnly] },
      { sourceTag: 'type:sdk', onlyDependOnLibsWithTags: ['type:contracts'], bannedExternalImports: [...serverOnly, ...uiOnly] },
      { sourceTag: 'type:ui', onlyDependOnLibsWithTags: ['type:contracts', 'type:pure', 'type:ui'], bannedExternalImports: serverOnly },
      { sourceTag: 'type:server', onlyDependOnLibsWithTags: ['type:contracts', 'type:pure', 'type:server'], bannedExternalImports: uiOnly },
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:contracts', 'type:pure', 'type:server', 'type:sdk'], bannedExternalImports: uiOnly },
    ],
  };

export default [
  { ignores: ['**/dist', '**/node_modules', '**/.nx', '.loupe-data', 'coverage', 'tmp'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', boundaries],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.spec.tsx', 'tools/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // Tests may use the shared test helpers in tools/testing; production code may not.
    files: ['**/*.spec.ts', '**/*.spec.tsx'],
    rules: { '@nx/enforce-module-boundaries': ['error', { ...boundaries, allow: ['^(\\.\\./)+tools/testing/[a-z-]+$'] }] },
  },
];
