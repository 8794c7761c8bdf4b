import nx from '@nx/eslint-plugin';
import baseConfig from '../../eslint.config.mjs';

export default [
  ...nx.configs['flat/angular'],
  ...nx.configs['flat/angular-template'],
  ...baseConfig,
  {
    files: ['**/*.ts'],
    rules: {
      '@angular-eslint/directive-selector': [
        'error',
        {
          type: 'attribute',
          prefix: 'ic',
          style: 'camelCase',
        },
      ],
      '@angular-eslint/component-selector': [
        'error',
        {
          type: 'element',
          prefix: 'ic',
          style: 'kebab-case',
        },
      ],
    },
  },
  // The dashboard's folders depend one way: features → ui → core. A feature never reaches into
  // another feature, so a feature is deleted by deleting its folder.
  ...folderRule('src/app/core/**/*.ts', [
    ['features', 'core/ serves every feature and imports none'],
    ['ui', 'core/ holds app-wide services, not presentational pieces'],
  ]),
  ...folderRule('src/app/ui/**/*.ts', [
    ['features', 'ui/ pieces are presentational and know no feature'],
  ]),
  ...folderRule('src/app/features/auth/**/*.ts', [
    ['(features/)?(inbox|instagram)', 'features never import each other'],
  ]),
  ...folderRule('src/app/features/inbox/**/*.ts', [
    ['(features/)?(auth|instagram)', 'features never import each other'],
  ]),
  ...folderRule('src/app/features/instagram/**/*.ts', [
    ['(features/)?(auth|inbox)', 'features never import each other'],
  ]),
  {
    files: ['**/*.html'],
    // Override or add rules here
    rules: {},
  },
];

/** Forbids files matching `files` to import from the named app folders, saying why. */
function folderRule(files, forbidden) {
  return [
    {
      files: [files],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: forbidden.map(([folder, message]) => ({
              regex: `(^|/)(app/)?${folder}(/|$)`,
              message,
            })),
          },
        ],
      },
    },
  ];
}
