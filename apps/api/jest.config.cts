module.exports = {
  displayName: 'api',
  preset: '../../jest.preset.js',
  testEnvironment: 'node',
  transform: {
    // @fastify/static (the API docs' assets) requires content-disposition 3, which ships only as an
    // ES module: Node loads it as is, Jest's module system needs it as CommonJS.
    '/node_modules/@fastify/static/node_modules/content-disposition/.+\\.js$': [
      'babel-jest',
      { plugins: ['@babel/plugin-transform-modules-commonjs'], babelrc: false },
    ],
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
  transformIgnorePatterns: [
    // Both node_modules segments of that file's path must let it through.
    '/node_modules/(?!(@fastify/static/node_modules/)?content-disposition/dist/)',
  ],
  moduleFileExtensions: ['ts', 'js', 'html'],
  // Every response an e2e spec receives is checked against the OpenAPI document.
  setupFilesAfterEnv: [
    '<rootDir>/src/app/testing/contract-violations.setup.ts',
  ],
  coverageDirectory: '../../coverage/apps/api',
  // e2e suites boot the app and an embedded database; give slow shared machines room.
  testTimeout: 30000,
};
