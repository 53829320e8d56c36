/**
 * A kubeconfig for the simulator. The server speaks plain HTTP on loopback, which
 * @kubernetes/client-node only accepts with `insecure-skip-tls-verify: true`.
 */
export interface KubeconfigParts {
  server: string
  user: string
  token: string
  namespace?: string
}

function quote(value: string): string {
  return JSON.stringify(value)
}

export function renderKubeconfig(parts: KubeconfigParts): string {
  const lines = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '  - name: simulator',
    '    cluster:',
    `      server: ${quote(parts.server)}`,
    '      insecure-skip-tls-verify: true',
    'users:',
    `  - name: ${quote(parts.user)}`,
    '    user:',
    `      token: ${quote(parts.token)}`,
    'contexts:',
    '  - name: simulator',
    '    context:',
    '      cluster: simulator',
    `      user: ${quote(parts.user)}`,
    ...(parts.namespace ? [`      namespace: ${quote(parts.namespace)}`] : []),
    'current-context: simulator',
    ''
  ]
  return lines.join('\n')
}
