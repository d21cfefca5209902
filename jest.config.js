/** Type-checking is done once by `tsc --noEmit` in `npm test`; ts-jest only transpiles here. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 30000,
  // Both cores: suites are independent (each bot on its own port, each store its own), and no test is timed.
  maxWorkers: 2,
};
