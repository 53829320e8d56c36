import { describe, expect, it } from '@jest/globals'
import type { V1ConfigMap, V1PodTemplateSpec, V1Secret } from '@kubernetes/client-node'
import {
  configKeyIndex,
  configReferences,
  missingConfigReferences,
  type ConfigKeyIndex
} from '../../src/environment-checks/config-references.js'
import { container } from './support/workloads.js'

/** A template that references ConfigMaps and Secrets every way a pod can. */
const TEMPLATE: V1PodTemplateSpec = {
  spec: {
    imagePullSecrets: [{ name: 'registry' }],
    initContainers: [
      container({
        name: 'migrate',
        env: [
          {
            name: 'DATABASE_URL',
            valueFrom: { secretKeyRef: { name: 'my-app-secrets', key: 'DATABASE_URL' } }
          }
        ]
      })
    ],
    containers: [
      container({
        env: [
          { name: 'LOG_LEVEL', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'log_level' } } },
          {
            name: 'FEATURE_FLAGS',
            valueFrom: { configMapKeyRef: { name: 'flags', key: 'all', optional: true } }
          },
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }
        ],
        envFrom: [
          { configMapRef: { name: 'app-config' } },
          { secretRef: { name: 'my-app-secrets' }, prefix: 'APP_' }
        ]
      })
    ],
    volumes: [
      { name: 'config', configMap: { name: 'app-config', items: [{ key: 'app.yaml', path: 'app.yaml' }] } },
      { name: 'tls', secret: { secretName: 'app-tls' } },
      {
        name: 'bundle',
        projected: {
          sources: [
            { configMap: { name: 'ca-bundle', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            { serviceAccountToken: { path: 'token' } }
          ]
        }
      },
      { name: 'scratch', emptyDir: {} }
    ]
  }
}

const CONFIG_MAPS: V1ConfigMap[] = [
  { metadata: { name: 'app-config' }, data: { log_level: 'info', 'app.yaml': 'port: 8080' } },
  { metadata: { name: 'ca-bundle' }, data: { 'ca.crt': '-' } }
]
// Values are fixtures' stand-ins; the index keeps only the key names.
const SECRETS: V1Secret[] = [
  { metadata: { name: 'my-app-secrets' }, data: { DATABASE_URL: 'eA==', API_KEY: 'eA==' } },
  {
    metadata: { name: 'app-tls' },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': 'eA==', 'tls.key': 'eA==' }
  },
  {
    metadata: { name: 'registry' },
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': 'eA==' }
  }
]
const COMPLETE = configKeyIndex(CONFIG_MAPS, SECRETS)

describe('configReferences', () => {
  it('lists every ConfigMap and Secret reference with where it comes from', () => {
    expect(configReferences(TEMPLATE)).toEqual([
      {
        kind: 'Secret',
        name: 'my-app-secrets',
        key: 'DATABASE_URL',
        optional: false,
        via: 'env',
        container: 'migrate',
        variable: 'DATABASE_URL'
      },
      {
        kind: 'ConfigMap',
        name: 'app-config',
        key: 'log_level',
        optional: false,
        via: 'env',
        container: 'app',
        variable: 'LOG_LEVEL'
      },
      {
        kind: 'ConfigMap',
        name: 'flags',
        key: 'all',
        optional: true,
        via: 'env',
        container: 'app',
        variable: 'FEATURE_FLAGS'
      },
      { kind: 'ConfigMap', name: 'app-config', optional: false, via: 'envFrom', container: 'app' },
      {
        kind: 'Secret',
        name: 'my-app-secrets',
        optional: false,
        via: 'envFrom',
        container: 'app',
        prefix: 'APP_'
      },
      {
        kind: 'ConfigMap',
        name: 'app-config',
        key: 'app.yaml',
        optional: false,
        via: 'volume',
        volume: 'config'
      },
      { kind: 'Secret', name: 'app-tls', optional: false, via: 'volume', volume: 'tls' },
      {
        kind: 'ConfigMap',
        name: 'ca-bundle',
        key: 'ca.crt',
        optional: false,
        via: 'projected',
        volume: 'bundle'
      },
      { kind: 'Secret', name: 'registry', optional: true, via: 'imagePullSecret' }
    ])
  })
})

describe('configKeyIndex', () => {
  it('keeps Secret key names and no values', () => {
    const index = configKeyIndex(
      [],
      [{ metadata: { name: 's' }, data: { a: 'c2VjcmV0' }, stringData: { b: 'plain-value' } }]
    )
    expect(index).toEqual({ configMaps: {}, secrets: { s: ['a', 'b'] } })
    expect(JSON.stringify(index)).not.toMatch(/c2VjcmV0|plain-value/)
  })
})

describe('missingConfigReferences', () => {
  it('finds nothing missing when the namespace has every object and key', () => {
    expect(missingConfigReferences(TEMPLATE, COMPLETE).filter((m) => !m.optional)).toEqual([])
  })

  const without = (change: (index: ConfigKeyIndex) => void): ConfigKeyIndex => {
    const index = structuredClone(COMPLETE)
    change(index)
    return index
  }

  it.each<[string, ConfigKeyIndex, string[]]>([
    [
      'a missing Secret (env, envFrom)',
      without((i) => delete i.secrets['my-app-secrets']),
      ['object-missing Secret/my-app-secrets migrate', 'object-missing Secret/my-app-secrets app']
    ],
    [
      'a ConfigMap key the env reads',
      without((i) => (i.configMaps['app-config'] = ['app.yaml'])),
      ['key-missing ConfigMap/app-config app']
    ],
    [
      'a volume item key',
      without((i) => (i.configMaps['app-config'] = ['log_level'])),
      ['key-missing ConfigMap/app-config config']
    ],
    [
      'a projected source',
      without((i) => delete i.configMaps['ca-bundle']),
      ['object-missing ConfigMap/ca-bundle bundle']
    ],
    ['a Secret volume', without((i) => delete i.secrets['app-tls']), ['object-missing Secret/app-tls tls']]
  ])('reports %s', (_case, index, expected) => {
    const required = missingConfigReferences(TEMPLATE, index).filter((m) => !m.optional)
    expect(required.map((m) => `${m.problem} ${m.kind}/${m.name} ${m.container ?? m.volume}`)).toEqual(
      expected
    )
  })

  it('marks optional references as optional rather than leaving them out', () => {
    const optional = missingConfigReferences(
      TEMPLATE,
      without((i) => delete i.secrets.registry)
    ).filter((m) => m.optional)
    expect(optional.map((m) => m.message)).toEqual([
      'configmap/flags does not exist; container app reads FEATURE_FLAGS from it (optional)',
      'secret/registry does not exist; the pod pulls images with it (optional)'
    ])
  })

  it('says what needs the missing key', () => {
    const [missing] = missingConfigReferences(
      TEMPLATE,
      without((i) => (i.configMaps['app-config'] = ['app.yaml']))
    )
    expect(missing!.message).toBe(
      'configmap/app-config has no key log_level; container app reads LOG_LEVEL from it'
    )
  })
})
