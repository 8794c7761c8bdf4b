import nx from '@nx/eslint-plugin';

// The dashboard sees only the shared contracts; the shared libraries see nothing of the apps;
// the sandbox (playing Meta) never reaches into the API, and the API reaches the sandbox's
// server library only from its tests (see the override below).
const DEP_CONSTRAINTS = [
  {
    sourceTag: 'scope:web',
    onlyDependOnLibsWithTags: ['type:contracts'],
  },
  {
    sourceTag: 'scope:api',
    onlyDependOnLibsWithTags: ['scope:shared', 'scope:node'],
  },
  {
    sourceTag: 'scope:sandbox',
    onlyDependOnLibsWithTags: ['type:meta-platform', 'type:meta-sandbox'],
  },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'scope:node', onlyDependOnLibsWithTags: [] },
];

function moduleBoundaries(depConstraints) {
  return [
    'error',
    {
      enforceBuildableLibDependency: true,
      allow: ['^.*/eslint(\\.base)?\\.config\\.[cm]?[jt]s$'],
      depConstraints,
    },
  ];
}

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/out-tsc', '.data/**', 'tmp/**'],
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.jsx'],
    rules: {
      '@nx/enforce-module-boundaries': moduleBoundaries(DEP_CONSTRAINTS),
    },
  },
  {
    // Specs only: the API's tests drive the real Meta sandbox over HTTP; its code never sees it.
    files: ['**/*.spec.ts'],
    rules: {
      '@nx/enforce-module-boundaries': moduleBoundaries(
        DEP_CONSTRAINTS.map((constraint) =>
          constraint.sourceTag === 'scope:api'
            ? {
                ...constraint,
                onlyDependOnLibsWithTags: [
                  ...constraint.onlyDependOnLibsWithTags,
                  'type:meta-sandbox',
                ],
              }
            : constraint,
        ),
      ),
    },
  },
  {
    files: [
      '**/*.ts',
      '**/*.tsx',
      '**/*.cts',
      '**/*.mts',
      '**/*.js',
      '**/*.jsx',
      '**/*.cjs',
      '**/*.mjs',
    ],
    // Override or add rules here
    rules: {},
  },
];
