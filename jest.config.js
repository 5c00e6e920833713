/** Jest runs the TypeScript sources directly (ESM, transpile-only); `tsc -b` type-checks them. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/packages/*/test/**/*.test.ts', '<rootDir>/conformance/**/*.test.ts', '<rootDir>/examples/*/test/**/*.test.ts', '<rootDir>/interop/**/*.test.ts'],
  moduleNameMapper: {
    '^@aauth-ts/(core|resource|agent|auth-server|store-redis|policy-opa|mcp)$': '<rootDir>/packages/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: { isolatedModules: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', verbatimModuleSyntax: false } }],
  },
  testTimeout: 30000,
};
