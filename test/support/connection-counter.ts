import { createServer, type Server } from 'node:net'

/**
 * A TCP listener that accepts and counts connections and answers nothing. Pointing
 * GITHUB_API_URL and a kubeconfig's server at it proves a run made no network call.
 */
export async function startConnectionCounter(): Promise<{
  url: string
  connections(): number
  close(): Promise<void>
}> {
  let count = 0
  const server: Server = createServer((socket) => {
    count++
    socket.destroy()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => count,
    close: () => new Promise((resolve) => server.close(() => resolve()))
  }
}

/** A kubeconfig pointing at `server` with a bearer token, for masking and no-call tests. */
export function kubeconfigFor(server: string, token: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: c',
    '  cluster:',
    `    server: ${server}`,
    'users:',
    '- name: u',
    '  user:',
    `    token: ${token}`,
    'contexts:',
    '- name: ctx',
    '  context: { cluster: c, user: u, namespace: default }',
    'current-context: ctx',
    ''
  ].join('\n')
}
