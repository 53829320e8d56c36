/**
 * GitOps promotion figures against the GitHub emulator: the GitHub requests one promotion makes
 * (the target: edit + pull request, merge wait excluded, <= 12), split into the
 * manifests repository's (read, edit, commit, pull request) and the Deployment record's and
 * lock's, for a pull request of one file and of three, and for push: direct.
 */
import { NEW, startPromotionWorld } from '../test/stages/promote/support/promotion-world.js'

const TARGET = 12

interface Scenario {
  title: string
  files: number
  push: 'pull-request' | 'direct'
}

const SCENARIOS: Scenario[] = [
  { title: 'pull request, 1 file', files: 1, push: 'pull-request' },
  { title: 'pull request, 3 files (one commit)', files: 3, push: 'pull-request' },
  { title: 'push: direct, 1 file', files: 1, push: 'direct' }
]

const path = (i: number) => `environments/staging/region-${i}/kustomization.yaml`

function config(scenario: Scenario): string {
  const files = Array.from({ length: scenario.files }, (_, i) =>
    [`        - path: ${path(i)}`, '          image-name: api'].join('\n')
  )
  return [
    'version: 1',
    'environments:',
    '  staging:',
    '    mode: gitops',
    '    gitops:',
    `      push: ${scenario.push}`,
    '      files:',
    ...files,
    ''
  ].join('\n')
}

async function count(scenario: Scenario): Promise<{ manifests: string[]; records: number }> {
  const world = await startPromotionWorld(config(scenario))
  try {
    for (let i = 0; i < scenario.files; i++)
      world.github.putFile(
        path(i),
        `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nimages:\n- name: api\n  newName: ghcr.io/acme/api\n  newTag: "1.0.0"\n`
      )
    const before = world.github.requests.length
    // No kubeconfig: the GitHub requests alone (the lock is then the Deployment wait).
    const run = await world.inProcess({ image: NEW, kubeconfig: '' }, { runId: 'bench-gitops' })
    const expected = scenario.push === 'direct' ? 'committed' : 'pull-request-opened'
    if (run.io.outputs['result'] !== expected)
      throw new Error(`${scenario.title}: ${String(run.error ?? run.io.outputs['result'])}`)
    const requests = world.github.requests.slice(before)
    const isRecord = (p: string) => /\/deployments(\/|$|\?)/.test(p)
    return {
      manifests: requests
        .filter((r) => !isRecord(r.path))
        .map((r) => r.operationId ?? `${r.method} ${r.path}`),
      records: requests.filter((r) => isRecord(r.path)).length
    }
  } finally {
    await world.close()
  }
}

export async function gitOpsFigures(): Promise<string[]> {
  const lines: string[] = []
  for (const scenario of SCENARIOS) {
    const { manifests, records } = await count(scenario)
    const verdict =
      scenario.push === 'pull-request'
        ? ` (target <= ${TARGET}: ${manifests.length <= TARGET ? 'met' : 'MISSED'})`
        : ''
    lines.push(
      `${scenario.title}: ${manifests.length} GitHub requests for the edit and delivery${verdict}, + ${records} for the Deployment record and lock`,
      `  ${summarise(manifests)}`
    )
  }
  return lines
}

/** `git/create-blob x3, ...` in order of first use. */
function summarise(operations: string[]): string {
  const counts = new Map<string, number>()
  for (const op of operations) counts.set(op, (counts.get(op) ?? 0) + 1)
  return [...counts].map(([op, n]) => (n > 1 ? `${op} x${n}` : op)).join(', ')
}
