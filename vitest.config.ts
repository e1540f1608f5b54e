import { defineConfig } from 'vitest/config';

// One config for the whole suite. Integration tests start real servers (ZooKeeper,
// the embedded Mesos master, git), so they get generous timeouts; nothing here
// measures speed: benchmarks live in bench/ and run with `npm run bench`.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One private dockerd for the run (Docker tests); see test/support/docker-global.ts.
    globalSetup: ['test/support/docker-global.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
