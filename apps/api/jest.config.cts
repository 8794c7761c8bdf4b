module.exports = {
  displayName: 'api',
  preset: '../../jest.preset.js',
  testEnvironment: 'node',
  transform: {
    '^.+\\.[tj]s$': [
      'ts-jest',
      {
        tsconfig: '<rootDir>/tsconfig.spec.json',
        // `nx typecheck api` type-checks; skipping it here keeps the suite fast.
        diagnostics: false,
        astTransformers: { before: ['<rootDir>/swagger-jest-transformer.js'] },
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'html'],
  // Every response an e2e spec receives is checked against the OpenAPI document.
  setupFilesAfterEnv: [
    '<rootDir>/src/app/testing/contract-violations.setup.ts',
  ],
  coverageDirectory: '../../coverage/apps/api',
  // e2e suites boot the app and an embedded database; give slow shared machines room.
  testTimeout: 30000,
};
