import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The start test brings up a whole system of its own.
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
});
