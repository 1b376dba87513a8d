/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': '<rootDir>/infra/jest-esbuild.cjs',
    // @middy/core 6 is ESM-only and jest on Node 20 cannot require(esm): compile it to CJS like our TS.
    '/node_modules/@middy/.+\\.js$': '<rootDir>/infra/jest-esbuild.cjs',
  },
  // ali-oss (under @alicloud/fc2) ships ESM .ts files beside its .js: jest would pick the .ts.
  transformIgnorePatterns: ['/node_modules/(?!(ali-oss|@middy)/)'],
  moduleFileExtensions: ['ts', 'js', 'json', 'cjs'],
  testTimeout: 30000,
};
