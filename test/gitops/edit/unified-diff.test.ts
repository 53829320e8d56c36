import { describe, expect, it } from '@jest/globals'
import { unifiedDiff } from '../../../src/gitops/edit/unified-diff.js'

const lines = (n: number, prefix = 'line') =>
  Array.from({ length: n }, (_, i) => `${prefix}${i + 1}\n`).join('')

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('k.yaml', 'a: 1\n', 'a: 1\n')).toBe('')
  })

  it('shows a changed line with three lines of context, like diff -u', () => {
    const before =
      'kind: Kustomization\nimages:\n  - name: my-app\n    newTag: v1\nreplicas:\n  - name: my-app\n    count: 5\n'
    const after = before.replace('newTag: v1', 'newTag: v2')
    expect(unifiedDiff('environments/production/kustomization.yaml', before, after)).toBe(
      [
        '--- a/environments/production/kustomization.yaml',
        '+++ b/environments/production/kustomization.yaml',
        '@@ -1,7 +1,7 @@',
        ' kind: Kustomization',
        ' images:',
        '   - name: my-app',
        '-    newTag: v1',
        '+    newTag: v2',
        ' replicas:',
        '   - name: my-app',
        '     count: 5',
        ''
      ].join('\n')
    )
  })

  it('splits changes more than six lines apart into hunks and merges closer ones', () => {
    const before = lines(20)
    const after = before
      .replace('line2\n', 'LINE2\n')
      .replace('line8\n', 'LINE8\n')
      .replace('line18\n', 'LINE18\n')
    const diff = unifiedDiff('f', before, after)
    expect(diff.split('\n').filter((l) => l.startsWith('@@'))).toEqual([
      '@@ -1,11 +1,11 @@',
      '@@ -15,6 +15,6 @@'
    ])
  })

  it('shows CRLF lines without their line breaks and compares them with the breaks', () => {
    const diff = unifiedDiff('k.yaml', 'a: 1\r\nb: 2\r\n', 'a: 1\r\nb: 3\r\n')
    expect(diff).toBe('--- a/k.yaml\n+++ b/k.yaml\n@@ -1,2 +1,2 @@\n a: 1\n-b: 2\n+b: 3\n')
    expect(unifiedDiff('k.yaml', 'a: 1\r\n', 'a: 1\n')).toBe(
      '--- a/k.yaml\n+++ b/k.yaml\n@@ -1 +1 @@\n-a: 1\n+a: 1\n'
    )
  })

  it('marks a last line without a line break', () => {
    expect(unifiedDiff('v.yaml', 'a: 1\nb: 2', 'a: 1\nb: 2\nc: 3')).toBe(
      '--- a/v.yaml\n+++ b/v.yaml\n@@ -1,2 +1,3 @@\n a: 1\n-b: 2\n\\ No newline at end of file\n+b: 2\n+c: 3\n\\ No newline at end of file\n'
    )
  })

  it('numbers an insertion into an empty file from line 0', () => {
    expect(unifiedDiff('v.yaml', '', 'image:\n  tag: v1\n')).toBe(
      '--- a/v.yaml\n+++ b/v.yaml\n@@ -0,0 +1,2 @@\n+image:\n+  tag: v1\n'
    )
  })

  it('stays quick on a large file with a small change', () => {
    const before = lines(20000)
    const after = before.replace('line10000\n', 'line10000\nadded\n')
    const started = performance.now()
    const diff = unifiedDiff('big.yaml', before, after)
    expect(performance.now() - started).toBeLessThan(2000)
    expect(diff).toContain('@@ -9998,6 +9998,7 @@')
  })
})
