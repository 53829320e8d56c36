import type { PromotionConfig } from '../config/load-config.js'
import type { ResolvedEnvironment } from '../config/schema.js'
import { formatDuration } from '../config/duration.js'
import { Input, type ActionIO } from '../runtime/action-io.js'
import { ProblemList } from '../runtime/errors.js'
import type { WorkflowContext } from '../runtime/workflow-context.js'
import { loadEnvironment, settled } from './common-settings.js'
import { InputReader } from './input-readers.js'

/** What `unlock` needs: which environment's lock, and how to reach its clusters. */
export interface UnlockSettings {
  environmentName: string
  environment: ResolvedEnvironment
  config: PromotionConfig
  kubeconfig: string | undefined
}

/** What `lock` needs besides: why, for how long, and how long to wait in line. */
export interface LockSettings extends UnlockSettings {
  reason: string
  /** The Leases' duration: nothing renews them once the step has exited. */
  holdForMs: number
  /** How long to wait for a promotion (or another rotation) holding the lock. */
  timeoutMs: number
  /** Release in the post step (end of job) if unlock did not. */
  unlockAtJobEnd: boolean
}

export const MAX_REASON_LENGTH = 300
export const MIN_HOLD_FOR_MS = 60_000
export const MAX_HOLD_FOR_MS = 24 * 3_600_000
const DEFAULT_HOLD_FOR_MS = 30 * 60_000

/** The `lock` sub-action's inputs; every input and config problem reported at once. */
export async function readLockSettings(io: ActionIO, workflow: WorkflowContext): Promise<LockSettings> {
  const reader = new InputReader(io, new ProblemList())
  const environmentName = readEnvironmentName(reader)
  const reason = readReason(reader)
  const holdForMs = readHoldFor(reader)
  const timeoutMs = reader.durationMs(Input.LockTimeout)
  const unlockAtJobEnd = reader.boolean(Input.UnlockAtJobEnd) ?? true
  const settings = await loadLockedEnvironment(reader, environmentName, workflow)
  return {
    ...settings,
    reason,
    holdForMs: holdForMs ?? DEFAULT_HOLD_FOR_MS,
    timeoutMs: timeoutMs ?? settings.environment.lock.timeout,
    unlockAtJobEnd
  }
}

/** The `unlock` sub-action's inputs. */
export async function readUnlockSettings(io: ActionIO, workflow: WorkflowContext): Promise<UnlockSettings> {
  const reader = new InputReader(io, new ProblemList())
  return loadLockedEnvironment(reader, readEnvironmentName(reader), workflow)
}

function readEnvironmentName(reader: InputReader): string {
  return reader.required(Input.Environment, 'the name of an environment in the promotion config')
}

function readReason(reader: InputReader): string {
  const reason = reader.required(
    Input.Reason,
    'why the environment is locked, shown to every promotion that waits (e.g. rotating the database password)'
  )
  if (/[\r\n]/.test(reason))
    reader.problems.add({
      path: `input ${Input.Reason}`,
      found: 'several lines',
      expected: 'one line (it is shown in the log of every promotion that waits)'
    })
  else if (reason.length > MAX_REASON_LENGTH)
    reader.problems.add({
      path: `input ${Input.Reason}`,
      found: `${reason.length} characters`,
      expected: `at most ${MAX_REASON_LENGTH} characters`
    })
  return reason
}

function readHoldFor(reader: InputReader): number | undefined {
  const ms = reader.durationMs(Input.HoldFor)
  if (ms === undefined) return undefined
  if (ms < MIN_HOLD_FOR_MS || ms > MAX_HOLD_FOR_MS) {
    reader.problems.add({
      path: `input ${Input.HoldFor}`,
      value: reader.text(Input.HoldFor),
      expected: `a duration from ${formatDuration(MIN_HOLD_FOR_MS)} to ${formatDuration(MAX_HOLD_FOR_MS)}: longer than the rotation takes (unlock ends it earlier), short enough that a rotation whose runner died does not block promotions for long`
    })
    return undefined
  }
  return ms
}

/**
 * The config and the environment, which must be one whose promotions take the lock
 * (`lock.enabled`): a rotation lock that promotions do not take would make nobody wait. A GitOps
 * environment's promotions take the Lease in the clusters they can reach; the stage refuses one
 * without any.
 */
async function loadLockedEnvironment(
  reader: InputReader,
  environmentName: string,
  workflow: WorkflowContext
): Promise<UnlockSettings> {
  const kubeconfig = reader.text(Input.Kubeconfig)
  const settings = await loadEnvironment(
    {
      environmentName,
      sha: workflow.sha,
      configPath: reader.text(Input.Config) ?? '.github/promotion.yml',
      dryRun: false,
      githubToken: '',
      kubeconfig
    },
    workflow,
    reader.problems
  )
  const environment = settings.environment
  const problem = !environment.lock.enabled
    ? {
        key: 'lock.enabled',
        value: false,
        expected: "true: this environment's promotions take no lock, so none would wait for this one"
      }
    : undefined
  if (problem) {
    const path = ['environments', environmentName, ...problem.key.split('.')]
    reader.problems.add({
      path: path.join('.'),
      value: problem.value,
      expected: problem.expected,
      ...(await locate(settings.config.file, path))
    })
  }
  settled(reader.problems, true)
  return { environmentName, environment, config: settings.config, kubeconfig }
}

/** Where in the config file a path was written (or would be), for the annotation; only read on failure. */
async function locate(
  file: string,
  path: string[]
): Promise<{ file: string; line?: number; column?: number }> {
  try {
    const [{ readFile }, { locateInYaml }] = await Promise.all([
      import('node:fs/promises'),
      import('../config/yaml-locator.js')
    ])
    const position = locateInYaml(await readFile(file, 'utf8'))(path)
    return { file, ...(position ? { line: position.line, column: position.column } : {}) }
  } catch {
    return { file }
  }
}
