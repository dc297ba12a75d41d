import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code; test/ provisions topics on the real broker the global setup
// brings up when it is not running.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['../../stack/src/vitest-global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 240_000,
  },
});
