import type { z } from 'zod'
import type { ResolvedEnvironment } from '../config/schema.js'
import type { GateContext } from '../gates/gate-context.js'
import type { GateDefinition, GateSetup } from '../gates/gate-definition.js'
import { findGate } from '../gates/registry.js'
import { ImageReference, ImageReferenceError } from '../image/image-reference.js'
import { Input, type ActionIO } from '../runtime/action-io.js'
import { ProblemList } from '../runtime/errors.js'
import type { WorkflowContext } from '../runtime/workflow-context.js'
import { configuredImage } from '../targets/promoted-image.js'
import { loadEnvironment, readCommonInputs, type CommonSettings } from './common-settings.js'
import { InputReader } from './input-readers.js'

export type GateMode = 'enforce' | 'report'

/** One `gates[]` entry, resolved: its definition and its settings with defaults applied. */
export interface ConfiguredGate {
  /** The display name (`name:`, else the gate's), unique within the environment. */
  name: string
  uses: string
  definition: GateDefinition<z.ZodType, GateContext>
  settings: unknown
  /** The gate's own `wait`: wait this long for a pending result whatever the policy says. */
  waitMs: number | undefined
}

export interface GateSettings extends CommonSettings {
  mode: GateMode
  /** Where the mode came from, for the log. */
  modeSource: 'input mode' | 'gate-policy.mode' | 'event'
  pending: 'fail' | 'wait'
  timeoutMs: number
  /** A reason to promote inside a freeze window. */
  freezeOverride: string | undefined
  gates: ConfiguredGate[]
  /** The image being promoted, when the config names its repository. */
  image: ImageReference | undefined
  /** `promotion gates (<environment>)` */
  checkRunName: string
  kubernetesConfigured: boolean
}

const PULL_REQUEST_EVENTS = ['pull_request', 'pull_request_target', 'merge_group']
/** "true", "yes", "override": an override needs a reason a reader can judge later. */
const NOT_A_REASON = /^(true|false|yes|y|1|on|override|ok|force|please)$/i

export function checkRunNameFor(environment: string): string {
  return `promotion gates (${environment})`
}

/**
 * Reads the gate stage's inputs and its part of the config. Every problem (inputs, config,
 * gate settings that only make sense with the rest of the environment) is reported at once,
 * before any API call.
 */
export async function readGateSettings(
  io: ActionIO,
  workflow: WorkflowContext,
  env: NodeJS.ProcessEnv = process.env
): Promise<GateSettings> {
  const reader = new InputReader(io, new ProblemList())
  const problems = reader.problems
  const common = readCommonInputs(reader, workflow)
  const modeInput = reader.oneOf(Input.Mode, ['enforce', 'report'] as const)
  const timeoutInput = reader.durationMs(Input.Timeout)
  const freezeOverride = reader.text(Input.FreezeOverride)?.trim()
  // The root action's image input (the gate action has none): the image a later promote stage deploys.
  const imageInput = imageOf(reader.text(Input.Image), problems)
  if (
    freezeOverride !== undefined &&
    (freezeOverride.replace(/\s/g, '').length < 8 || NOT_A_REASON.test(freezeOverride))
  )
    problems.add({
      path: `input ${Input.FreezeOverride}`,
      value: freezeOverride,
      expected:
        'a reason for promoting inside a freeze window, such as "hotfix for incident 4711"; it is recorded in the report'
    })
  if (!common.githubToken)
    problems.add({
      path: `input ${Input.GithubToken}`,
      expected: 'a token for check runs and the GitHub gates (default: ${{ github.token }})'
    })
  const settings = await loadEnvironment(common, workflow, problems)

  const environment = settings.environment
  const policy = environment['gate-policy']
  const mode: GateMode =
    modeInput ?? policy.mode ?? (PULL_REQUEST_EVENTS.includes(workflow.eventName) ? 'report' : 'enforce')
  const configured = configuredImage(environment, settings.upstream, settings.sha)
  if (!imageInput && configured.problem) problems.add(configured.problem)
  const image = imageInput ?? configured.image
  const kubernetesConfigured = Boolean(
    settings.kubeconfig || env['KUBECONFIG'] || env['KUBERNETES_SERVICE_HOST']
  )
  const setup: GateSetup = {
    environmentName: settings.environmentName,
    environment,
    upstream: settings.upstream,
    hasImage: image !== undefined,
    kubernetesConfigured
  }
  const gates = configuredGates(
    environment,
    setup,
    `${settings.config.file}: environments.${settings.environmentName}.gates`,
    problems
  )
  problems.throwIfAny()
  return {
    ...settings,
    mode,
    modeSource: modeInput ? 'input mode' : policy.mode ? 'gate-policy.mode' : 'event',
    pending: policy.pending,
    timeoutMs: timeoutInput ?? policy.timeout,
    freezeOverride,
    gates,
    image,
    checkRunName: checkRunNameFor(settings.environmentName),
    kubernetesConfigured
  }
}

function configuredGates(
  environment: ResolvedEnvironment,
  setup: GateSetup,
  path: string,
  problems: ProblemList
): ConfiguredGate[] {
  const gates: ConfiguredGate[] = []
  const names = new Set<string>()
  for (const [index, entry] of environment.gates.entries()) {
    const at = `${path}[${index}]`
    // The config has validated `uses` and `with` against the registry already.
    const definition = findGate(entry.uses)
    if (!definition) continue
    const parsed = definition.settings.safeParse(entry.with ?? {})
    if (!parsed.success) continue
    const name = entry.name ?? entry.uses
    if (names.has(name))
      problems.add({
        path: `${at}.name`,
        value: name,
        expected: `a name no other gate of ${environment.name} has (add name: to tell them apart)`
      })
    names.add(name)
    for (const expected of definition.validate?.(parsed.data, setup) ?? [])
      problems.add({ path: `${at} (uses: ${entry.uses})`, expected })
    gates.push({
      name,
      uses: entry.uses,
      definition,
      settings: parsed.data,
      waitMs: definition.waitMs?.(parsed.data)
    })
  }
  return gates
}

function imageOf(text: string | undefined, problems: ProblemList): ImageReference | undefined {
  if (text === undefined) return undefined
  try {
    return ImageReference.parse(text)
  } catch (error) {
    if (!(error instanceof ImageReferenceError)) throw error
    problems.add({ path: `input ${Input.Image}`, value: text, expected: error.message.replace(/^.*?: /, '') })
    return undefined
  }
}
