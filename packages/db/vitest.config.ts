import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code; integration tests in test/ run against the real PostgreSQL the
// stack's global setup brings up when it is not running.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['../../stack/src/vitest-global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 240_000,
  },
});
