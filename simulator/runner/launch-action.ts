/**
 * Launches a bundled stage the way the GitHub Actions runner does: a Node 24 process with
 * INPUT_* variables, GITHUB_OUTPUT / GITHUB_STATE / GITHUB_STEP_SUMMARY files, an event
 * payload file, and for a post step the saved state as STATE_* variables. Tests, the
 * demo and the benchmarks all run the real dist/ bundles through this.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

export type BundleName = 'main' | 'gate' | 'promote' | 'verify' | 'check' | 'lock' | 'unlock'

export interface LaunchOptions {
  bundle: BundleName
  inputs?: Record<string, string | undefined>
  /** Extra environment (GITHUB_REPOSITORY, GITHUB_API_URL, ...). */
  env?: Record<string, string | undefined>
  /** Saved state from the main step: present means this is the post step. */
  state?: Record<string, string>
  event?: { name: string; payload: Record<string, unknown> }
  cwd?: string
  distDir?: string
  /** Streams each stdout line as the runner would show it. */
  onLine?: (line: string) => void
  /** Sends SIGTERM after this many ms (the runner's cancellation). */
  cancelAfterMs?: number
  /** Sends SIGTERM when a stdout line matches. */
  cancelWhen?: RegExp
  /** Sends SIGKILL when a stdout line matches (a runner that dies at that point). */
  killWhen?: RegExp
  timeoutMs?: number
}

export interface LaunchResult {
  exitCode: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  state: Record<string, string>
  summary: string
  durationMs: number
}

/** The node binary running this process: Node 24 under npm scripts, as on the runner. */
export const NODE = process.execPath

export function runnerEnvironment(
  overrides: Record<string, string | undefined> = {}
): Record<string, string> {
  const base: Record<string, string | undefined> = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_REPOSITORY_OWNER: 'acme',
    GITHUB_SHA: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_ACTOR: 'octocat',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKFLOW: 'Promote',
    GITHUB_JOB: 'promote',
    GITHUB_SERVER_URL: 'https://github.com',
    RUNNER_TEMP: tmpdir(),
    ...overrides
  }
  return Object.fromEntries(Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined))
}

export async function launchAction(options: LaunchOptions): Promise<LaunchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'runner-'))
  const files = {
    output: join(dir, 'output'),
    state: join(dir, 'state'),
    summary: join(dir, 'summary.md'),
    event: join(dir, 'event.json')
  }
  for (const f of [files.output, files.state, files.summary]) writeFileSync(f, '')
  writeFileSync(files.event, JSON.stringify(options.event?.payload ?? {}))

  const env: Record<string, string> = runnerEnvironment({
    GITHUB_EVENT_NAME: options.event?.name ?? 'workflow_dispatch',
    GITHUB_EVENT_PATH: files.event,
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_WORKSPACE: options.cwd ?? process.cwd(),
    ...options.env
  })
  for (const [name, value] of Object.entries(options.inputs ?? {}))
    if (value !== undefined) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  for (const [name, value] of Object.entries(options.state ?? {})) env[`STATE_${name}`] = value

  const script = resolve(
    options.distDir ?? process.env['PROMOTE_ACTION_DIST'] ?? 'dist',
    options.bundle,
    'index.js'
  )
  const started = performance.now()
  const child = spawn(NODE, [script], {
    cwd: options.cwd ?? process.cwd(),
    env,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  let pending = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
    pending += chunk
    const lines = pending.split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) {
      options.onLine?.(line)
      if (options.cancelWhen?.test(line)) child.kill('SIGTERM')
      if (options.killWhen?.test(line)) child.kill('SIGKILL')
    }
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const cancelTimer =
    options.cancelAfterMs !== undefined
      ? setTimeout(() => child.kill('SIGTERM'), options.cancelAfterMs)
      : undefined
  const killTimer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000)
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done) =>
    child.on('close', (code, sig) => done([code, sig]))
  )
  clearTimeout(cancelTimer)
  clearTimeout(killTimer)
  if (pending) options.onLine?.(pending)
  const result: LaunchResult = {
    exitCode,
    signal,
    stdout,
    stderr,
    outputs: parseFileCommands(readFileSync(files.output, 'utf8')),
    state: parseFileCommands(readFileSync(files.state, 'utf8')),
    summary: readFileSync(files.summary, 'utf8'),
    durationMs: performance.now() - started
  }
  rmSync(dir, { recursive: true, force: true })
  return result
}

/** Parses GITHUB_OUTPUT / GITHUB_STATE: `name<<DELIMITER\nvalue\nDELIMITER` blocks (and name=value lines). */
export function parseFileCommands(text: string): Record<string, string> {
  const values: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delimiter] = heredoc
      const body: string[] = []
      for (i++; i < lines.length && lines[i] !== delimiter; i++) body.push(lines[i]!)
      values[name!] = body.join('\n')
    } else if (line.includes('=')) {
      const at = line.indexOf('=')
      values[line.slice(0, at)] = line.slice(at + 1)
    }
  }
  return values
}
