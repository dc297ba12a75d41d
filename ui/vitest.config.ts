import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';

// Component and store tests run in happy-dom; the end-to-end test (test/) drives a real Chromium
// against the whole system and declares its own node environment.
export default defineConfig({
  plugins: [vue()],
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The end-to-end test needs Kafka and Flink: brought up when not running, like every workspace's.
    globalSetup: ['../stack/src/vitest-global-setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
