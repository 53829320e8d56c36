import { describe, expect, it } from '@jest/globals'
import { ApiException } from '@kubernetes/client-node'
import { KubernetesApiError, isConflict, isNotFound } from '../../../src/kubernetes/api/api-error.js'

const status = (code: number, reason: string, message: string) =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message })

describe('KubernetesApiError.from', () => {
  it('reads reason and message from the raw JSON Status body of an ApiException', () => {
    const error = KubernetesApiError.from(
      new ApiException(
        409,
        'Unknown API Status Code!',
        status(409, 'Conflict', 'the object has been modified'),
        {}
      ),
      {
        verb: 'update',
        resource: 'leases',
        group: 'coordination.k8s.io',
        namespace: 'ci',
        name: 'lock'
      }
    )
    expect(error).toMatchObject({
      code: 409,
      reason: 'Conflict',
      serverMessage: 'the object has been modified'
    })
    expect(error.message).toBe(
      'update leases.coordination.k8s.io "lock" in namespace ci failed: HTTP 409 Conflict (API server: the object has been modified)'
    )
    expect(isConflict(error)).toBe(true)
    expect(isNotFound(error)).toBe(false)
  })

  it('turns 403 into the Role rule to add, core group included', () => {
    const server =
      'pods is forbidden: User "system:serviceaccount:ci:deployer" cannot list resource "pods" in API group "" in the namespace "prod"'
    const error = KubernetesApiError.from(
      new ApiException(403, 'Unknown API Status Code!', status(403, 'Forbidden', server), {}),
      {
        verb: 'list',
        resource: 'pods',
        group: '',
        namespace: 'prod'
      }
    )
    expect(error.message).toBe(
      `the token may not list pods in namespace prod: add this rule to the Role: { apiGroups: [""], resources: ["pods"], verbs: ["list"] } (API server: ${server})`
    )
  })

  it('says the credentials were rejected on 401', () => {
    const error = KubernetesApiError.from(
      new ApiException(401, 'Unknown API Status Code!', status(401, 'Unauthorized', 'Unauthorized'), {}),
      {
        verb: 'get',
        resource: 'deployments',
        group: 'apps',
        namespace: 'prod',
        name: 'api'
      }
    )
    expect(error.message).toMatch(
      /^the API server rejected the credentials \(401 Unauthorized\) while trying to get deployments\.apps in namespace prod/
    )
  })

  it('copes with a body that is not JSON and with errors that never reached the server', () => {
    expect(
      KubernetesApiError.from(new ApiException(502, 'x', '<html>bad gateway</html>', {}), {
        verb: 'get',
        resource: 'pods',
        group: ''
      })
    ).toMatchObject({
      code: 502,
      reason: undefined
    })
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: new Error('connect ECONNREFUSED 127.0.0.1:6443')
    })
    const error = KubernetesApiError.from(refused, {
      verb: 'get',
      resource: 'deployments',
      group: 'apps',
      namespace: 'prod',
      name: 'api'
    })
    expect(error.code).toBe(0)
    expect(error.message).toBe(
      'could not reach the Kubernetes API to get deployments.apps "api" in namespace prod: fetch failed: connect ECONNREFUSED 127.0.0.1:6443'
    )
  })
})
