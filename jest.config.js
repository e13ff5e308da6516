/** The settings every project shares: TypeScript through ts-jest in jest's ESM mode. */
const esm = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
};

/**
 * TEST_SUITE=unit (or integration, serial; comma-separated) runs those projects alone; unset, all.
 * unit: no engine, no network beyond an in-process loopback server, seconds; mirrors src/'s folders.
 * integration: the bundled action against the real engine and registry.
 * serial: integration suites that empty the engine's build cache, run alone (--runInBand).
 */
const projects = [
  {
    ...esm,
    displayName: 'unit',
    testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
    testPathIgnorePatterns: ['<rootDir>/__tests__/integration/'],
  },
  { ...esm, displayName: 'integration', testMatch: ['<rootDir>/__tests__/integration/*.test.ts'] },
  { ...esm, displayName: 'serial', testMatch: ['<rootDir>/__tests__/integration/serial/*.test.ts'] },
];
const only = process.env.TEST_SUITE?.split(',');

/** @type {import('jest').Config} */
export default {
  projects: only ? projects.filter((p) => only.includes(p.displayName)) : projects,
  maxWorkers: 2,
  testTimeout: 120_000,
};
