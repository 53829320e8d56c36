/**
 * What a stage loads when it fails on its inputs: its entry file and nothing else. No lazily
 * loaded chunk (the Kubernetes client, Octokit, the YAML parser, the health prober) and no TLS
 * or HTTP stack, which is what keeps start-up within its targets (npm run bench).
 */
import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { launchAction, type BundleName } from '../../simulator/runner/launch-action.js'

async function loadedBy(
  bundle: BundleName
): Promise<{ files: string[]; builtins: string[]; stdout: string }> {
  const file = join(mkdtempSync(join(tmpdir(), 'loaded-')), 'modules')
  const result = await launchAction({
    bundle,
    inputs: {},
    env: {
      NODE_OPTIONS: `--import=${resolve('test/support/report-loaded-modules.mjs')}`,
      LOADED_MODULES_FILE: file,
      KUBECONFIG: undefined
    }
  })
  expect(result.exitCode).toBe(1)
  const lines = readFileSync(file, 'utf8').split('\n')
  return {
    files: lines.filter((l) => l.startsWith('file:') && !l.endsWith('report-loaded-modules.mjs')),
    builtins: lines.filter((l) => l.startsWith('node:')).map((l) => l.slice(5)),
    stdout: result.stdout
  }
}

describe('a stage that fails on its inputs', () => {
  it.each(['gate', 'promote', 'verify'] as const)(
    '%s loads only its entry file: no chunk, no TLS or HTTP stack',
    async (bundle) => {
      const { files, builtins, stdout } = await loadedBy(bundle)
      expect(stdout).toContain('Configuration error')
      expect(files.map((f) => f.replace(/^.*\/dist\//, 'dist/'))).toEqual([`dist/${bundle}/index.js`])
      expect(builtins.filter((b) => ['tls', 'https', 'http', '_http_client', 'crypto'].includes(b))).toEqual(
        []
      )
    }
  )
})
