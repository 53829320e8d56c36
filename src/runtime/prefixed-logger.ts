import type { AnnotationProperties, Logger } from './logger.js'

/**
 * A logger whose lines start with `[prefix]`, for work that runs concurrently and so cannot be
 * told apart by log groups (which do not nest across concurrent work): each gate logs as
 * `[gate name]`, each cluster of a wave as `[cluster]`. A group opened through it is a
 * prefixed line instead.
 */
export function prefixedLogger(logger: Logger, prefix: string): Logger {
  const p = (message: string) => `[${prefix}] ${message}`
  return {
    debug: (message) => logger.debug(p(message)),
    info: (message) => logger.info(p(message)),
    notice: (message, properties?: AnnotationProperties) => logger.notice(p(message), properties),
    warning: (message, properties?: AnnotationProperties) => logger.warning(p(message), properties),
    error: (message, properties?: AnnotationProperties) => logger.error(p(message), properties),
    group: async (name, body) => {
      logger.info(p(name))
      return body()
    },
    mask: (secret) => logger.mask(secret)
  }
}
