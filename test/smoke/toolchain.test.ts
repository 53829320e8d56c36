import { describe, expect, it } from '@jest/globals'
import * as k8s from '@kubernetes/client-node'

describe('toolchain', () => {
  it('runs tests on Node 24 with the ESM Kubernetes client', () => {
    expect(process.versions.node.split('.')[0]).toBe('24')
    expect(typeof k8s.KubeConfig).toBe('function')
  })
})
