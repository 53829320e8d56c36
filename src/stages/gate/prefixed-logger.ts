import type { AnnotationProperties, Logger } from '../../runtime/logger.js'

/**
 * Gates run concurrently, so their log lines interleave and log groups cannot nest them:
 * each gate logs through a logger that prefixes its name instead.
 */
export function prefixedLogger(logger: Logger, prefix: string): Logger {
  const p = (message: string) => `[${prefix}] ${message}`
  return {
    debug: (message) => logger.debug(p(message)),
    info: (message) => logger.info(p(message)),
    warning: (message, properties?: AnnotationProperties) => logger.warning(p(message), properties),
    error: (message, properties?: AnnotationProperties) => logger.error(p(message), properties),
    group: async (name, body) => {
      logger.info(p(name))
      return body()
    },
    mask: (secret) => logger.mask(secret)
  }
}
