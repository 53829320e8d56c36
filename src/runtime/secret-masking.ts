import type { Logger } from './logger.js'

/** kubeconfig keys whose values are credentials (users[].user.* and auth-provider config). */
const CREDENTIAL_KEYS =
  /^\s*-?\s*["']?(token|client-key-data|client-certificate-data|password|id-token|refresh-token|access-token|client-secret|apiKey|secret)["']?\s*:\s*["']?([^"'\s#]+)["']?/i

/**
 * Registers every credential in a kubeconfig for masking, line by line, without parsing
 * it as YAML first: masking must happen before anything that could fail and log.
 */
export function maskKubeconfigCredentials(kubeconfig: string, logger: Logger): void {
  if (!kubeconfig) return
  logger.mask(kubeconfig)
  for (const line of kubeconfig.split(/\r?\n/)) {
    const match = CREDENTIAL_KEYS.exec(line)
    if (match?.[2]) logger.mask(match[2])
  }
}
