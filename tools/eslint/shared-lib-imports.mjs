/**
 * The shared libraries (libs/contracts, libs/meta-platform) are imported by the dashboard, the
 * API and the Meta sandbox alike, so they hold types, DTO classes and constants only: no
 * framework and no database code that would drag Nest, Angular or Mongoose into the others.
 */
export const sharedLibImports = {
  files: ['**/*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: ['@nestjs/*', '@angular/*', 'mongoose', 'mongoose/*'],
            message:
              'Shared libraries must not import Nest, Angular or Mongoose: keep framework code in the apps.',
          },
        ],
      },
    ],
  },
};
