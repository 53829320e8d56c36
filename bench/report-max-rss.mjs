// Preloaded by the benchmarks (NODE_OPTIONS=--import=...) into a launched bundle: writes the
// process's peak resident memory to BENCH_MAX_RSS_FILE when it exits.
import { writeFileSync } from 'node:fs'
process.on('exit', () => {
  if (process.env.BENCH_MAX_RSS_FILE)
    writeFileSync(process.env.BENCH_MAX_RSS_FILE, String(process.resourceUsage().maxRSS))
})
