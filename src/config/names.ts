import { z } from 'zod'

/** RFC 1123 label, as Kubernetes requires for namespaces and most object names. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
/** RFC 1123 subdomain, as Kubernetes requires for Deployment and other object names. */
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/

export const dnsLabel = z
  .string()
  .max(63, { error: 'a DNS-1123 label of at most 63 characters' })
  .regex(DNS1123_LABEL, {
    error: 'a DNS-1123 label (lowercase letters, digits and "-", starting and ending with a letter or digit)'
  })

export const dnsSubdomain = z
  .string()
  .max(253, { error: 'a DNS-1123 subdomain of at most 253 characters' })
  .regex(DNS1123_SUBDOMAIN, {
    error:
      'a DNS-1123 subdomain (lowercase letters, digits, "-" and ".", starting and ending with a letter or digit)'
  })
