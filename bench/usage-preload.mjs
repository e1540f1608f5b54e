// Preloaded (--import) into the processes bench/cli.bench.ts spawns, kairos and baseline
// alike: on exit each reports its own CPU time and peak resident memory on stderr.
process.on('exit', () => {
  const u = process.resourceUsage();
  process.stderr.write(`\nBENCH-USAGE ${JSON.stringify({ cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, maxRssKiB: u.maxRSS })}\n`);
});
