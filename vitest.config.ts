import { defineConfig } from 'vitest/config';

// One config for the whole suite. Integration tests start real servers (ZooKeeper,
// the embedded Mesos master, git), so they get generous timeouts; nothing here
// measures speed: benchmarks live in bench/ and run with `npm run bench`.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
