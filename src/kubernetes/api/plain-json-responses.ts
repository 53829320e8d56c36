import * as k8s from '@kubernetes/client-node'

/**
 * A response processor for client-node's generated API classes. It returns the API server's
 * JSON as parsed, without converting it into client-node's model classes.
 *
 * The generated processors run `ObjectSerializer.deserialize` on every response. That walks
 * the model's whole attribute map (a Deployment has some 200 attributes) and turns timestamps
 * into Date objects. In a fresh runner process this is the largest cost of a list or patch
 * that grows with the number of targets.
 *
 * The objects we get from watches were never converted in the first place, so our code
 * already reads both forms: timestamps as strings or Dates, and `metadata.continue` under its
 * JSON name. Use this only for APIs whose responses are not sent back as typed request
 * bodies. client-node would call `toISOString()` on a timestamp it expects to be a Date, so a
 * string there would throw. Leases are sent back that way, and keep the typed processor.
 *
 * A status outside 2xx throws the ApiException the generated processors throw: `code` holds
 * the HTTP status and `body` the response text, which is the Status JSON.
 */
export function plainJsonResponses(): object {
  return new Proxy(
    {},
    {
      get: (_target, operation) => (typeof operation === 'string' ? plainResponse : undefined)
    }
  )
}

async function plainResponse(response: k8s.ResponseContext): Promise<k8s.HttpInfo<unknown>> {
  const status = response.httpStatusCode
  const text = await response.body.text()
  if (status < 200 || status > 299)
    throw new k8s.ApiException(status, `HTTP status ${status}`, text, response.headers)
  const json = /\bjson\b/i.test(response.headers['content-type'] ?? '')
  return new k8s.HttpInfo(status, response.headers, response.body, json && text ? JSON.parse(text) : text)
}
