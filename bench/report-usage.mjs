// Preloaded by the benchmarks (NODE_OPTIONS=--import=...) into a launched bundle: writes the
// process's peak resident memory (KiB) and CPU time (user + system, ms) as JSON to
// BENCH_USAGE_FILE when it exits.
import { writeFileSync } from 'node:fs'
process.on('exit', () => {
  if (!process.env.BENCH_USAGE_FILE) return
  const usage = process.resourceUsage()
  const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000
  writeFileSync(process.env.BENCH_USAGE_FILE, JSON.stringify({ maxRssKiB: usage.maxRSS, cpuMs }))
})
