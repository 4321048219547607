import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration files each start their own local engines; two at a time fit a 2-core machine.
    maxWorkers: 2,
  },
});
