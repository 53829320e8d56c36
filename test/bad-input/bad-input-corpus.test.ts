/**
 * The bad-input corpus: each malformed config or input, run through the real bundles as
 * the runner launches them, ends in one configuration error that lists every problem,
 * a non-zero exit and `::error` annotations, and makes no network call.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { launchAction, type BundleName } from '../../simulator/runner/launch-action.js'
import { kubeconfigFor, startConnectionCounter } from '../support/connection-counter.js'

const GOOD = `
defaults:
  namespace: shop
  image: { repository: ghcr.io/acme/web }
  targets: [{ name: web }]
environments:
  staging: {}
  production: { from: staging }
`

interface Case {
  name: string
  config?: string
  inputs?: Record<string, string>
  /** Substrings that must each appear in some ::error annotation. */
  problems: string[]
  /**
   * Bundles that read the input in question (default: the promotion bundles; lock and unlock
   * run the cases with config problems only, and their own).
   */
  bundles?: BundleName[]
}

const cases: Case[] = [
  {
    name: 'unknown keys at several levels',
    config: GOOD.replace(
      'targets: [{ name: web }]',
      'targets: [{ name: web, contianers: [web] }]\n  rolout: { timeout: 5m }'
    ),
    problems: ['defaults.targets[0].contianers', 'defaults.rolout']
  },
  {
    name: 'wrong types',
    config: GOOD.replace(
      'staging: {}',
      'staging: { namespace: 42, production: "yes", lock: { enabled: sometimes } }'
    ),
    problems: [
      'environments.staging.namespace: got 42; expected a string',
      'environments.staging.production: got "yes"',
      'environments.staging.lock.enabled'
    ]
  },
  {
    name: 'no environments',
    config: 'environments: {}\n',
    problems: ['environments: got {}; expected at least one environment']
  },
  {
    name: 'a cycle in from',
    config: GOOD.replace('staging: {}', 'staging: { from: production }'),
    problems: ['no cycle in from']
  },
  {
    name: 'from naming an unknown environment',
    config: GOOD.replace('production: { from: staging }', 'production: { from: stagin }'),
    problems: [
      'environments.production.from: got "stagin"; expected one of the environments: staging, production'
    ]
  },
  {
    name: 'an unknown gate',
    config: GOOD.replace(
      'production: { from: staging }',
      'production: { from: staging, gates: [{ uses: vibes-check }] }'
    ),
    problems: ['environments.production.gates[0].uses: got "vibes-check"']
  },
  {
    name: 'a malformed image reference',
    inputs: { image: 'ghcr.io/Acme/web:1.0:extra' },
    problems: ['input image: got "ghcr.io/Acme/web:1.0:extra"'],
    bundles: ['promote', 'verify', 'main']
  },
  {
    name: 'names that are not DNS-1123 labels',
    config: GOOD.replace('namespace: shop', 'namespace: Shop_NS').replace(
      '{ name: web }',
      '{ name: Web_App, containers: [Main] }'
    ),
    problems: [
      'defaults.namespace: got "Shop_NS"',
      'defaults.targets[0].name: got "Web_App"',
      'defaults.targets[0].containers[0]: got "Main"'
    ]
  },
  {
    name: 'health URLs that are not http(s)',
    config: GOOD.replace(
      'staging: {}',
      'staging: { health: { http: [{ url: "ftp://app/healthz" }, { url: "not a url" }] } }'
    ),
    problems: ['health.http[0].url: got "ftp://app/healthz"', 'health.http[1].url: got "not a url"']
  },
  {
    name: 'dry-run: maybe',
    inputs: { 'dry-run': 'maybe' },
    problems: ['input dry-run: got "maybe"; expected true or false']
  },
  {
    name: 'bad inputs and a bad config reported together',
    config: GOOD.replace('namespace: shop', 'namespace: "-shop"'),
    inputs: { 'dry-run': 'maybe', 'lock-timeout': 'soon' },
    bundles: ['promote', 'main'],
    problems: ['input dry-run', 'input lock-timeout: got "soon"', 'defaults.namespace: got "-shop"']
  },
  {
    name: 'an environment the config does not have',
    inputs: { environment: 'prod' },
    problems: ['input environment: got "prod"; expected one of the environments in']
  },
  {
    name: 'lock: a missing reason, and hold-for, lock-timeout, unlock-at-job-end malformed',
    inputs: { reason: '', 'hold-for': '2d', 'lock-timeout': 'soon', 'unlock-at-job-end': 'maybe' },
    bundles: ['lock'],
    problems: [
      'input reason: missing; expected why the environment is locked',
      'input hold-for: got "2d"',
      'input lock-timeout: got "soon"',
      'input unlock-at-job-end: got "maybe"; expected true or false'
    ]
  },
  {
    name: 'lock: a reason on several lines, and hold-for beyond a day',
    inputs: { reason: 'rotating\nthe key', 'hold-for': '36h' },
    bundles: ['lock'],
    problems: ['input reason: several lines', 'input hold-for: got "36h"; expected a duration from 1m to 24h']
  },
  {
    name: 'lock and unlock: an environment whose promotions take no lock',
    config: GOOD.replace('staging: {}', 'staging: { lock: { enabled: false } }'),
    inputs: { reason: 'rotating the key' },
    bundles: ['lock', 'unlock'],
    problems: ['environments.staging.lock.enabled: got false']
  },
  {
    name: 'YAML that does not parse',
    config: 'environments:\n  staging: [\n',
    problems: ['expected valid YAML (line']
  }
]

const TOKEN = 'ghs_badInputCorpusTokenThatMustNeverPrint0001'
const KUBE_TOKEN = 'kube-token-that-must-never-print-0002'

describe('bad input', () => {
  let counter: Awaited<ReturnType<typeof startConnectionCounter>>
  beforeAll(async () => {
    counter = await startConnectionCounter()
  })
  afterAll(() => counter.close())

  const bundles: BundleName[] = ['promote', 'gate', 'verify', 'main', 'lock', 'unlock']
  const lockBundle = (bundle: BundleName) => bundle === 'lock' || bundle === 'unlock'
  const runs = (c: Case, bundle: BundleName) =>
    c.bundles ? c.bundles.includes(bundle) : !lockBundle(bundle) || c.inputs === undefined
  describe.each(bundles)('through the %s bundle', (bundle) => {
    it.each(cases.filter((c) => runs(c, bundle)))(
      '$name: one configuration error listing every problem, exit 1, no network call',
      async (testCase) => {
        const dir = mkdtempSync(join(tmpdir(), 'bad-input-'))
        writeFileSync(join(dir, 'promotion.yml'), testCase.config ?? GOOD)
        const before = counter.connections()
        const result = await launchAction({
          bundle,
          cwd: dir,
          inputs: {
            environment: 'staging',
            config: 'promotion.yml',
            'github-token': TOKEN,
            kubeconfig: kubeconfigFor(counter.url, KUBE_TOKEN),
            ...(bundle === 'main' ? { stage: 'promote' } : {}),
            ...testCase.inputs
          },
          env: { GITHUB_API_URL: counter.url }
        })
        // A problem in the config file is annotated on its line: `title=…,file=…,line=…,col=…`.
        const annotations = result.stdout
          .split('\n')
          .filter((l) => /^::error title=Configuration error[,:]/.test(l))
        for (const problem of testCase.problems) expect(annotations.join('\n')).toContain(problem)
        for (const problem of testCase.problems.filter((p) => !p.startsWith('input ')))
          expect(annotations.find((l) => l.includes(problem))).toMatch(
            /,file=[^,:]*\/promotion\.yml,line=\d+/
          )
        expect(result.stdout).toContain('Configuration error:')
        expect(result.exitCode).toBe(1)
        expect(counter.connections() - before).toBe(0)
        const outsideMasks = `${result.stdout}\n${result.stderr}`
          .split('\n')
          .filter((l) => !l.startsWith('::add-mask::'))
          .join('\n')
        expect(outsideMasks).not.toContain(TOKEN)
        expect(outsideMasks).not.toContain(KUBE_TOKEN)
      }
    )
  })
})
