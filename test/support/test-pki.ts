import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface TestPki {
  dir: string
  caFile: string
  caPem: string
  /** A second, unrelated CA: trusting it must not make the server trusted. */
  otherCaPem: string
  /** Server key and certificate for 127.0.0.1 and localhost, signed by the first CA. */
  key: string
  cert: string
  /** A client key and certificate (CN=promote-action), signed by the first CA, as kubeconfigs carry. */
  clientKey: string
  clientCert: string
  remove(): void
}

/** A throwaway CA with server and client certificates, made with the openssl CLI as an operator would. */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'health-tls-'))
  const at = (name: string): string => join(dir, name)
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' })
  }
  /** `openssl req` with a new P-256 key written to NAME.key. */
  const newKeyRequest = (name: string, ...args: string[]): void =>
    openssl(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      at(`${name}.key`),
      ...args
    )
  const makeCa = (name: string): void =>
    newKeyRequest(
      name,
      '-x509',
      '-out',
      at(`${name}.pem`),
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign'
    )
  makeCa('test-ca')
  makeCa('other-ca')
  const signed = (name: string, subject: string, extensions: string[]): void => {
    newKeyRequest(name, '-out', at(`${name}.csr`), '-subj', subject)
    writeFileSync(at(`${name}.ext`), extensions.join('\n'))
    openssl(
      'x509',
      '-req',
      '-in',
      at(`${name}.csr`),
      '-CA',
      at('test-ca.pem'),
      '-CAkey',
      at('test-ca.key'),
      '-CAcreateserial',
      '-out',
      at(`${name}.pem`),
      '-days',
      '2',
      '-extfile',
      at(`${name}.ext`)
    )
  }
  const leaf = ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature']
  const keyIds = ['authorityKeyIdentifier=keyid', 'subjectKeyIdentifier=hash']
  signed('server', '/CN=localhost', [
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ...leaf,
    'extendedKeyUsage=serverAuth',
    ...keyIds
  ])
  signed('client', '/O=system:masters/CN=promote-action', [...leaf, 'extendedKeyUsage=clientAuth', ...keyIds])
  return {
    dir,
    caFile: at('test-ca.pem'),
    caPem: readFileSync(at('test-ca.pem'), 'utf8'),
    otherCaPem: readFileSync(at('other-ca.pem'), 'utf8'),
    key: readFileSync(at('server.key'), 'utf8'),
    cert: readFileSync(at('server.pem'), 'utf8'),
    clientKey: readFileSync(at('client.key'), 'utf8'),
    clientCert: readFileSync(at('client.pem'), 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true })
  }
}
