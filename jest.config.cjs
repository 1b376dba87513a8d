/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': '<rootDir>/infra/jest-esbuild.cjs' },
  moduleFileExtensions: ['ts', 'js', 'json', 'cjs'],
  testTimeout: 30000,
};
