import baseConfig from '../../eslint.config.mjs';
import { sharedLibImports } from '../../tools/eslint/shared-lib-imports.mjs';

export default [
  ...baseConfig,
  sharedLibImports,
  {
    files: ['**/*.json'],
    rules: {
      '@nx/dependency-checks': [
        'error',
        {
          ignoredFiles: ['{projectRoot}/eslint.config.{js,cjs,mjs,ts,cts,mts}'],
        },
      ],
    },
    languageOptions: {
      parser: await import('jsonc-eslint-parser'),
    },
  },
];
