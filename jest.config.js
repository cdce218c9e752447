/** @type {import('jest').Config} */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2023',
    },
    module: { type: 'commonjs' },
  },
];

// The schema engine's bindings ship as ES modules; jest's CommonJS runtime needs them transformed.
const transformIgnorePatterns = ['/node_modules/(?!@prisma/schema-engine-wasm/)'];

const project = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  roots: [`<rootDir>/test/${name}`],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.(t|j)s$': swc },
  transformIgnorePatterns,
  // The generated Prisma client imports its TypeScript siblings with .js extensions.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  ...extra,
});

module.exports = {
  projects: [
    project('unit'),
    project('integration', {
      globalSetup: '<rootDir>/test/support/global-setup-kafka.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown-kafka.ts',
    }),
    project('e2e', { globalSetup: '<rootDir>/test/support/global-setup.ts' }),
  ],
  testTimeout: 60_000,
};
