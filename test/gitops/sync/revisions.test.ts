import { describe, expect, it } from '@jest/globals'
import { commitOfRevision, containment } from '../../../src/gitops/sync/revisions.js'

const SHA = 'C0FFEE'.padEnd(40, 'A')
const sha = SHA.toLowerCase()

describe('revisions as GitOps engines write them', () => {
  it('reads the commit of Argo CD, Flux 2.x and Git-built chart revisions', () => {
    expect(commitOfRevision(SHA)).toBe(sha)
    expect(commitOfRevision(`main@sha1:${sha}`)).toBe(sha)
    expect(commitOfRevision(`refs/heads/main@sha1:${sha}`)).toBe(sha)
    expect(commitOfRevision(`v1.2.0@sha1:${sha}`)).toBe(sha)
    expect(commitOfRevision(`sha1:${sha}`)).toBe(sha)
    expect(commitOfRevision(`0.1.0+${sha.slice(0, 12)}`)).toBe(sha.slice(0, 12))
    expect(commitOfRevision(`0.1.0+${sha.slice(0, 12)}.7`)).toBe(sha.slice(0, 12))
  })

  it('finds no commit in a chart version, an OCI digest or a branch name', () => {
    expect(commitOfRevision('6.5.4')).toBeUndefined()
    expect(commitOfRevision(`latest@sha256:${'d'.repeat(64)}`)).toBeUndefined()
    expect(commitOfRevision('main')).toBeUndefined()
  })

  it('matches the commit itself, its 12-character prefix, and asks about any other commit', () => {
    const none = () => undefined
    expect(containment(`main@sha1:${sha}`, sha, none)).toBe('yes')
    expect(containment(`0.1.0+${sha.slice(0, 12)}`, sha, none)).toBe('yes')
    expect(containment('1'.repeat(40), sha, none)).toBe('unknown')
    expect(containment('1'.repeat(40), sha, () => true)).toBe('yes')
    expect(containment('6.5.4', sha, none)).toBe('no')
  })
})
