import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { dump } from 'js-yaml'
import { createKubeConfig } from '../../../src/kubernetes/api/client-factory.js'
import { ConfigurationError } from '../../../src/runtime/errors.js'

const KEY_PEM =
  '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIKeyMaterialLine1\nAoGCCqGSM49KeyMaterialLine2\n-----END EC PRIVATE KEY-----\n'

function kubeconfig(options: {
  contexts: string[]
  current?: string
  users?: Record<string, unknown>[]
}): string {
  return dump({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': options.current ?? options.contexts[0],
    clusters: options.contexts.map((name) => ({
      name: `${name}-cluster`,
      cluster: { server: `https://${name}.example:6443` }
    })),
    users:
      options.users ??
      options.contexts.map((name) => ({ name: `${name}-user`, user: { token: `token-for-${name}` } })),
    contexts: options.contexts.map((name) => ({
      name,
      context: { cluster: `${name}-cluster`, user: `${name}-user`, namespace: `${name}-ns` }
    }))
  })
}

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'promote-kubeconfig-'))
}

describe('createKubeConfig', () => {
  it('loads kubeconfig content from the input and reports its token as a secret', () => {
    const connection = createKubeConfig({ kubeconfig: kubeconfig({ contexts: ['staging'] }), env: {} })
    expect(connection).toMatchObject({
      source: 'input',
      context: 'staging',
      server: 'https://staging.example:6443',
      namespace: 'staging-ns'
    })
    expect(connection.secrets).toEqual(['token-for-staging'])
  })

  it('accepts base64-encoded kubeconfig content', () => {
    const encoded = Buffer.from(kubeconfig({ contexts: ['prod'] })).toString('base64')
    expect(createKubeConfig({ kubeconfig: encoded, env: {} }).context).toBe('prod')
  })

  it('selects the requested context', () => {
    const connection = createKubeConfig({
      kubeconfig: kubeconfig({ contexts: ['staging', 'prod'] }),
      context: 'prod',
      env: {}
    })
    expect(connection.context).toBe('prod')
    expect(connection.kubeConfig.getCurrentCluster()?.server).toBe('https://prod.example:6443')
  })

  it('lists the available contexts when the requested one is unknown', () => {
    const run = () =>
      createKubeConfig({
        kubeconfig: kubeconfig({ contexts: ['staging', 'prod'] }),
        context: 'production',
        env: {}
      })
    expect(run).toThrow(ConfigurationError)
    expect(run).toThrow(
      'input context: got "production"; expected one of the kubeconfig\'s contexts: staging, prod'
    )
  })

  it('merges the files named in KUBECONFIG, first file choosing the current context', () => {
    const dir = tempDir()
    const first = path.join(dir, 'a.yaml')
    const second = path.join(dir, 'b.yaml')
    writeFileSync(first, kubeconfig({ contexts: ['a'] }))
    writeFileSync(second, kubeconfig({ contexts: ['b'] }))
    const connection = createKubeConfig({ env: { KUBECONFIG: [first, second].join(path.delimiter) } })
    expect(connection.source).toBe('KUBECONFIG')
    expect(connection.context).toBe('a')
    expect(connection.kubeConfig.getContexts().map((c) => c.name)).toEqual(['a', 'b'])
    expect(connection.secrets.sort()).toEqual(['token-for-a', 'token-for-b'])
    expect(
      createKubeConfig({ env: { KUBECONFIG: [first, second].join(path.delimiter) }, context: 'b' }).server
    ).toBe('https://b.example:6443')
  })

  it('prefers the input over KUBECONFIG', () => {
    const connection = createKubeConfig({
      kubeconfig: kubeconfig({ contexts: ['input'] }),
      env: { KUBECONFIG: '/does/not/exist' }
    })
    expect(connection.source).toBe('input')
  })

  it('names a missing KUBECONFIG file', () => {
    expect(() => createKubeConfig({ env: { KUBECONFIG: '/does/not/exist.yaml' } })).toThrow(
      'environment variable KUBECONFIG: got "/does/not/exist.yaml"; expected a readable kubeconfig file (file not found)'
    )
  })

  it('uses the in-cluster service account when nothing else is given', () => {
    const root = tempDir()
    const dir = path.join(root, 'var/run/secrets/kubernetes.io/serviceaccount')
    mkdirSync(dir, { recursive: true })
    writeFileSync(path.join(dir, 'token'), 'in-cluster-token\n')
    writeFileSync(path.join(dir, 'namespace'), 'runners')
    const connection = createKubeConfig({
      env: { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' },
      serviceAccountRoot: root
    })
    expect(connection).toMatchObject({
      source: 'in-cluster',
      server: 'https://10.0.0.1:443',
      namespace: 'runners',
      secrets: ['in-cluster-token']
    })
  })

  it('says where credentials can come from when none are found', () => {
    expect(() => createKubeConfig({ env: {} })).toThrow(
      'expected a kubeconfig (the input, the KUBECONFIG variable, or a runner inside the cluster'
    )
  })

  it('keeps exec credential plugins and masks secret-looking plugin env values', () => {
    const content = kubeconfig({
      contexts: ['eks'],
      users: [
        {
          name: 'eks-user',
          user: {
            exec: {
              apiVersion: 'client.authentication.k8s.io/v1beta1',
              command: 'aws',
              args: ['eks', 'get-token', '--cluster-name', 'prod'],
              env: [
                { name: 'AWS_PROFILE', value: 'deploy' },
                { name: 'AWS_SECRET_ACCESS_KEY', value: 'aws-secret-value' }
              ]
            }
          }
        }
      ]
    })
    const connection = createKubeConfig({ kubeconfig: content, env: {} })
    expect(connection.kubeConfig.getCurrentUser()?.exec).toMatchObject({
      command: 'aws',
      args: ['eks', 'get-token', '--cluster-name', 'prod']
    })
    expect(connection.secrets).toEqual(['aws-secret-value'])
  })

  it('reports client keys, passwords and auth-provider tokens as secrets, but not certificates', () => {
    const keyData = Buffer.from(KEY_PEM).toString('base64')
    const content = kubeconfig({
      contexts: ['one'],
      users: [
        {
          name: 'one-user',
          user: {
            'client-certificate-data': 'Y2VydA==',
            'client-key-data': keyData,
            username: 'admin',
            password: 'hunter2'
          }
        },
        {
          name: 'oidc',
          user: {
            'auth-provider': {
              name: 'oidc',
              config: { 'client-id': 'kube', 'id-token': 'oidc-id-token', 'refresh-token': 'oidc-refresh' }
            }
          }
        }
      ]
    })
    const secrets = createKubeConfig({ kubeconfig: content, env: {} }).secrets
    expect(secrets).toEqual(
      expect.arrayContaining([
        keyData,
        KEY_PEM.trim(),
        'MHcCAQEEIKeyMaterialLine1',
        'hunter2',
        'oidc-id-token',
        'oidc-refresh'
      ])
    )
    expect(secrets).not.toContain('Y2VydA==')
    expect(secrets).not.toContain('kube')
    expect(secrets).not.toContain('admin')
  })

  it('never echoes the kubeconfig in a YAML error', () => {
    const broken =
      'apiVersion: v1\nusers:\n- name: u\n  user:\n    token: super-secret-token\n   bad: [indent\n'
    let message = ''
    try {
      createKubeConfig({ kubeconfig: broken, env: {} })
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toMatch(
      /input kubeconfig: missing; expected a kubeconfig in YAML \(YAML syntax error at line \d+, column \d+/
    )
    expect(message).not.toContain('super-secret-token')
  })

  it('rejects content that holds no kubeconfig', () => {
    expect(() => createKubeConfig({ kubeconfig: 'just: text', env: {} })).toThrow(
      'a kubeconfig with clusters, users and contexts (none found)'
    )
  })

  it('names a context that points at a missing current-context', () => {
    const content = kubeconfig({ contexts: ['a'], current: 'gone' })
    expect(() => createKubeConfig({ kubeconfig: content, env: {} })).toThrow(
      'expected a current-context naming one of its contexts (a), or the input context'
    )
  })
})

describe('createKubeConfig with overlapping KUBECONFIG files', () => {
  it('lets the first file win for duplicate names, as kubectl does', () => {
    const dir = tempDir()
    const first = path.join(dir, 'a.yaml')
    const second = path.join(dir, 'b.yaml')
    writeFileSync(first, kubeconfig({ contexts: ['shared'] }))
    writeFileSync(
      second,
      kubeconfig({ contexts: ['shared', 'other'] }).replaceAll(
        'https://shared.example',
        'https://second.example'
      )
    )
    const connection = createKubeConfig({ env: { KUBECONFIG: `${first}${path.delimiter}${second}` } })
    expect(connection.server).toBe('https://shared.example:6443')
    expect(connection.kubeConfig.getContexts().map((c) => c.name)).toEqual(['shared', 'other'])
  })
})
