// Preloaded into a launched bundle (NODE_OPTIONS=--import=...): on exit, writes to
// LOADED_MODULES_FILE every file module the process loaded and the Node built-ins it
// initialised, one per line, so a test can see what a stage paid for at start-up.
import { writeFileSync } from 'node:fs'
import { registerHooks } from 'node:module'

const files = []
registerHooks({
  load(url, context, nextLoad) {
    if (url.startsWith('file:')) files.push(url)
    return nextLoad(url, context)
  }
})
process.on('exit', () => {
  const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13))
  writeFileSync(process.env.LOADED_MODULES_FILE, [...files, ...builtins.map((b) => `node:${b}`)].join('\n'))
})
