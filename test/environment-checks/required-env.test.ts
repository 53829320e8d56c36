import { describe, expect, it } from '@jest/globals'
import type { V1EnvVar, V1EnvFromSource, V1PodTemplateSpec } from '@kubernetes/client-node'
import type { ConfigKeyIndex } from '../../src/environment-checks/config-references.js'
import { requiredEnvFindings } from '../../src/environment-checks/required-env.js'
import { container } from './support/workloads.js'

/** The seed's required variables. */
const REQUIRED = ['DATABASE_URL', 'REDIS_URL', 'API_KEY']

const INDEX: ConfigKeyIndex = {
  configMaps: { 'app-config': ['REDIS_URL', 'LOG_LEVEL'], prefixed: ['URL'] },
  secrets: { 'my-app-secrets': ['DATABASE_URL', 'API_KEY'] }
}

function template(
  env: V1EnvVar[],
  envFrom: V1EnvFromSource[] = [],
  more: Partial<V1PodTemplateSpec['spec']> = {}
): V1PodTemplateSpec {
  return { spec: { containers: [container({ env, envFrom })], ...more } }
}

const PASSING = template(
  [{ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'my-app-secrets', key: 'DATABASE_URL' } } }],
  [{ configMapRef: { name: 'app-config' } }, { secretRef: { name: 'my-app-secrets' } }]
)

const findings = (t: V1PodTemplateSpec, index = INDEX) =>
  requiredEnvFindings(t, REQUIRED, index).map((f) => `${f.container} ${f.variable} ${f.problem}`)

describe('requiredEnvFindings', () => {
  it('passes when env and envFrom together set every required variable', () => {
    expect(findings(PASSING)).toEqual([])
  })

  it.each<[string, V1PodTemplateSpec, string[]]>([
    [
      'nothing set',
      template([]),
      ['app DATABASE_URL missing', 'app REDIS_URL missing', 'app API_KEY missing']
    ],
    [
      'a variable set to the empty string (the seed treats it as missing)',
      template(
        [{ name: 'API_KEY', value: '' }],
        [{ configMapRef: { name: 'app-config' } }, { secretRef: { name: 'my-app-secrets' } }]
      ),
      ['app API_KEY empty']
    ],
    [
      'a secretKeyRef to a key the Secret lacks',
      template(
        [{ name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'my-app-secrets', key: 'api-key' } } }],
        [{ configMapRef: { name: 'app-config' } }, { secretRef: { name: 'my-app-secrets' } }]
      ),
      ['app API_KEY unresolved']
    ],
    [
      'an envFrom source that does not exist (optional, so the pod starts without it)',
      template(
        [],
        [{ configMapRef: { name: 'app-config' } }, { secretRef: { name: 'other-secrets', optional: true } }]
      ),
      ['app DATABASE_URL missing', 'app API_KEY missing']
    ],
    [
      'a prefix that renames the keys',
      template(
        [],
        [
          { configMapRef: { name: 'app-config' }, prefix: 'CACHE_' },
          { secretRef: { name: 'my-app-secrets' } }
        ]
      ),
      ['app REDIS_URL missing']
    ],
    [
      'a second container without the variables',
      { spec: { containers: [...PASSING.spec!.containers, container({ name: 'worker', env: [] })] } },
      ['worker DATABASE_URL missing', 'worker REDIS_URL missing', 'worker API_KEY missing']
    ]
  ])('reports %s', (_case, t, expected) => {
    expect(findings(t)).toEqual(expected)
  })

  it('resolves a prefixed key to the prefixed name', () => {
    const t = template(
      [],
      [{ configMapRef: { name: 'prefixed' }, prefix: 'REDIS_' }, { secretRef: { name: 'my-app-secrets' } }]
    )
    expect(findings(t)).toEqual([])
  })

  it('checks the named containers only, init containers included', () => {
    const t = {
      spec: {
        initContainers: [container({ name: 'migrate', env: [] })],
        containers: PASSING.spec!.containers
      }
    }
    expect(
      requiredEnvFindings(t, ['DATABASE_URL'], INDEX, { containers: ['migrate'] }).map((f) => f.message)
    ).toEqual(['container migrate: DATABASE_URL is not set (neither in env nor through envFrom)'])
    expect(requiredEnvFindings(t, ['DATABASE_URL'], INDEX)).toEqual([])
  })
})
