module.exports = {
  displayName: 'mongo-embedded',
  preset: '../../jest.preset.js',
  testEnvironment: 'node',
  // Property tests build indexes of thousands of entries several times over: ~3.5 s on a quiet
  // 2-core machine, over Jest's default 5 s when CI runs the API's suites beside them. 30 s still
  // ends a hung test.
  testTimeout: 30_000,
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'html'],
  coverageDirectory: '../../coverage/libs/mongo-embedded',
};
