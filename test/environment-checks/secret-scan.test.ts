import { describe, expect, it } from '@jest/globals'
import {
  globMatches,
  isPlaceholder,
  isSecretLikeKey,
  scanForSecrets,
  secretFindingMessage,
  secretFindingsMarkdown,
  shannonEntropy,
  type ScannedFile,
  type SecretFinding
} from '../../src/environment-checks/secret-scan.js'
import { fakeSecrets } from './support/fake-secrets.js'

const S = fakeSecrets()

/** Files that mention secrets the right way: references, placeholders, examples. Nothing to find. */
const CLEAN: ScannedFile[] = [
  {
    path: '.github/workflows/deploy.yml',
    text: [
      'jobs:',
      '  deploy:',
      '    env:',
      '      GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}',
      '      DB_PASSWORD: ${DB_PASSWORD}',
      '      API_KEY: <your-api-key>',
      '      ADMIN_PASSWORD: changeme',
      '      EMPTY_SECRET: ""',
      '      AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE',
      '      PASSWORD_MIN_LENGTH: "12"',
      '      TOKEN_URL: https://auth.example.com/oauth/token'
    ].join('\n')
  },
  {
    path: 'k8s/production/external-secret.yaml',
    text: [
      'apiVersion: external-secrets.io/v1beta1',
      'kind: ExternalSecret',
      'metadata:',
      '  name: my-app-secrets',
      'spec:',
      '  refreshInterval: 1h',
      '  secretStoreRef:',
      '    name: aws-secrets-manager',
      '    kind: ClusterSecretStore',
      '  target:',
      '    name: my-app-secrets',
      '  data:',
      '    - secretKey: DATABASE_URL',
      '      remoteRef:',
      '        key: production/my-app/database-url',
      '    - secretKey: API_KEY',
      '      remoteRef:',
      '        key: production/my-app/api-key'
    ].join('\n')
  },
  {
    path: 'k8s/production/deployment.yaml',
    text: [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: app',
      '          env:',
      '            - name: API_KEY',
      '              valueFrom:',
      '                secretKeyRef:',
      '                  name: my-app-secrets',
      '                  key: API_KEY',
      '            - name: LOG_LEVEL',
      '              value: info',
      '      volumes:',
      '        - name: tls',
      '          secret:',
      '            secretName: app-tls-production'
    ].join('\n')
  },
  {
    path: 'charts/app/templates/secret.yaml',
    text: 'kind: Secret\nstringData:\n  password: {{ .Values.password | quote }}\n'
  },
  { path: 'config/low-entropy.env', text: 'SESSION_SECRET=aaaaaaaaaaaaaaaa\nDB_PASSWORD=$(DB_PASSWORD)\n' }
]

const LEAKY: Record<string, ScannedFile> = {
  secretManifest: {
    path: 'k8s/production/secrets.yaml',
    text: [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: app-config',
      'data:',
      '  LOG_LEVEL: info',
      '---',
      'apiVersion: v1',
      'kind: Secret',
      'metadata:',
      '  name: my-app-secrets',
      'type: Opaque',
      'data:',
      `  password: ${S.secretData}`,
      'stringData:',
      `  DB_PASSWORD: "${S.dbPassword}"`,
      '  PLACEHOLDER: ${DB_PASSWORD}'
    ].join('\n')
  },
  deployment: {
    path: 'k8s/production/deployment.yaml',
    text: [
      'containers:',
      '  - name: app',
      '    env:',
      '      - name: API_KEY',
      `        value: ${S.envApiKey}`
    ].join('\n')
  },
  dotenv: {
    path: 'config/production.env',
    text: [
      `GITHUB_TOKEN=${S.githubToken}`,
      `export AWS_ACCESS_KEY_ID=${S.awsKeyId}`,
      `DATABASE_URL=postgres://app:${S.urlPassword}@db.internal:5432/app`,
      `SLACK_BOT=${S.slackToken}`,
      `GH_FINE=${S.githubFineGrained}`
    ].join('\n')
  },
  json: {
    path: 'config/settings.json',
    text: [
      '{',
      `  "stripeKey": "${S.stripeKey}",`,
      `  "mapsKey": "${S.googleKey}",`,
      `  "session": "${S.jwt}"`,
      '}'
    ].join('\n')
  },
  pem: {
    path: 'keys/deploy.pem',
    text: ['-----BEGIN RSA PRIVATE KEY-----', S.privateKeyBody, '-----END RSA PRIVATE KEY-----'].join('\n')
  },
  helm: {
    path: 'charts/app/values-production.yaml.tpl',
    text: ['image: {{ .Values.image }}', `clientSecret: ${S.dbPassword}`].join('\n')
  }
}

const brief = (findings: SecretFinding[]) =>
  findings.map((f) => `${f.file}:${f.line} ${f.rule}${f.key ? ` ${f.key}` : ''}`)

describe('scanForSecrets', () => {
  it('finds nothing in references, placeholders, documentation examples and low-entropy values', () => {
    expect(scanForSecrets(CLEAN)).toEqual([])
  })

  it.each<[string, ScannedFile, string[]]>([
    [
      'a committed Secret in a multi-document manifest, one finding per key, placeholders skipped',
      LEAKY.secretManifest!,
      [
        'k8s/production/secrets.yaml:14 kubernetes-secret password',
        'k8s/production/secrets.yaml:16 kubernetes-secret DB_PASSWORD'
      ]
    ],
    [
      'a literal value in an env entry, under the variable name',
      LEAKY.deployment!,
      ['k8s/production/deployment.yaml:5 secret-assignment API_KEY']
    ],
    [
      'tokens and a password in a URL in a dotenv file',
      LEAKY.dotenv!,
      [
        'config/production.env:1 github-token',
        'config/production.env:2 aws-access-key-id',
        'config/production.env:3 credentials-in-url',
        'config/production.env:4 slack-token',
        'config/production.env:5 github-fine-grained-token'
      ]
    ],
    [
      'a Stripe key, a Google API key and a JWT in JSON',
      LEAKY.json!,
      [
        'config/settings.json:2 stripe-live-key',
        'config/settings.json:3 google-api-key',
        'config/settings.json:4 jwt'
      ]
    ],
    ['a private key', LEAKY.pem!, ['keys/deploy.pem:1 private-key']],
    [
      'a template that is not YAML, line by line',
      LEAKY.helm!,
      ['charts/app/values-production.yaml.tpl:2 secret-assignment clientSecret']
    ]
  ])('reports %s', (_case, file, expected) => {
    expect(brief(scanForSecrets([file]))).toEqual(expected)
  })

  it('never puts a secret, or any piece of one, in a finding, message or table', () => {
    const findings = scanForSecrets(Object.values(LEAKY))
    expect(findings.length).toBeGreaterThan(10)
    const rendered = [
      JSON.stringify(findings),
      ...findings.map(secretFindingMessage),
      secretFindingsMarkdown(findings)
    ].join('\n')
    for (const part of S.parts)
      for (let i = 0; i + 6 <= part.length; i++) expect(rendered).not.toContain(part.slice(i, i + 6))
  })

  it('fingerprints findings by file, rule and line as gitleaks does', () => {
    const [finding] = scanForSecrets([LEAKY.pem!])
    expect(finding).toEqual({
      file: 'keys/deploy.pem',
      line: 1,
      rule: 'private-key',
      fingerprint: 'keys/deploy.pem:private-key:1',
      description: 'private key (PEM block)'
    })
    expect(secretFindingMessage(finding!)).toBe('keys/deploy.pem:1: private-key: private key (PEM block)')
  })

  it('drops findings the allow-list covers by fingerprint, by glob and rule, or by rule', () => {
    const files = Object.values(LEAKY)
    const all = scanForSecrets(files)
    const byFingerprint = scanForSecrets(files, {
      allow: [{ fingerprint: 'config/production.env:github-token:1' }]
    })
    expect(all.length - byFingerprint.length).toBe(1)
    const byGlob = scanForSecrets(files, { allow: [{ path: 'k8s/**/*.yaml', rule: 'kubernetes-secret' }] })
    expect(brief(byGlob).filter((f) => f.includes('kubernetes-secret'))).toEqual([])
    expect(brief(byGlob)).toContain('k8s/production/deployment.yaml:5 secret-assignment API_KEY')
    expect(scanForSecrets(files, { allow: [{ rule: 'jwt' }] }).some((f) => f.rule === 'jwt')).toBe(false)
    expect(scanForSecrets(files, { allow: [{}] })).toHaveLength(all.length)
  })

  it('takes a stricter entropy threshold', () => {
    expect(scanForSecrets([LEAKY.deployment!], { entropyThreshold: 8 })).toEqual([])
  })
})

describe('scanner parts', () => {
  it.each<[string, boolean]>([
    ['password', true],
    ['DB_PASSWORD', true],
    ['apiKey', true],
    ['api_key', true],
    ['AWS_SECRET_ACCESS_KEY', true],
    ['clientSecret', true],
    ['GITHUB_TOKEN', true],
    ['secretName', false],
    ['secretKeyRef', false],
    ['tokenUrl', false],
    ['key', false],
    ['monkey', false],
    ['PASSWORD_MIN_LENGTH', false]
  ])('isSecretLikeKey(%s) is %s', (key, expected) => {
    expect(isSecretLikeKey(key)).toBe(expected)
  })

  it.each([
    '${{ secrets.X }}',
    '${VAR}',
    '$VAR',
    '$(VAR)',
    '{{ .Values.x }}',
    '<token>',
    'changeme',
    'xxxxxxxx',
    '***',
    'REPLACE_ME',
    'your-token-here',
    '',
    "''",
    'jdbc:${DB_URL:-x}'
  ])('treats %j as a placeholder', (value) => {
    expect(isPlaceholder(value)).toBe(true)
  })

  it('computes Shannon entropy in bits per character', () => {
    expect(shannonEntropy('aaaa')).toBe(0)
    expect(shannonEntropy('abcd')).toBe(2)
    expect(shannonEntropy('')).toBe(0)
  })

  it.each<[string, string, boolean]>([
    ['k8s/**/*.yaml', 'k8s/production/secret.yaml', true],
    ['k8s/**/*.yaml', 'k8s/secret.yaml', true],
    ['k8s/*.yaml', 'k8s/production/secret.yaml', false],
    ['**/fixtures/**', 'test/fixtures/a.env', true],
    ['config/?.env', 'config/a.env', true]
  ])('glob %s on %s is %s', (glob, path, expected) => {
    expect(globMatches(glob, path)).toBe(expected)
  })
})
