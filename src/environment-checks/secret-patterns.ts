/**
 * Token formats that identify a credential by their shape alone, each written from the
 * issuer's documented format (the same facts gitleaks' and GitHub secret scanning's rules
 * encode). A match is a finding wherever it appears; `ignore` drops documented examples.
 * Descriptions name the issuer, never a token prefix long enough to look like part of one.
 */
export interface TokenPattern {
  rule: string
  description: string
  pattern: RegExp
  ignore?: (match: string) => boolean
}

export const TOKEN_PATTERNS: readonly TokenPattern[] = [
  {
    rule: 'github-token',
    description: 'GitHub token (personal, OAuth, app user, app installation or refresh)',
    pattern: /\bgh[pousr]_[A-Za-z0-9]{36,255}\b/g
  },
  {
    rule: 'github-fine-grained-token',
    description: 'GitHub fine-grained personal access token',
    pattern: /\bgithub_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}\b/g
  },
  {
    rule: 'aws-access-key-id',
    description: 'AWS access key id (long-term or temporary)',
    pattern: /\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16}\b/g,
    // AWS documentation's example key ends in EXAMPLE.
    ignore: (match) => match.endsWith('EXAMPLE')
  },
  {
    rule: 'slack-token',
    description: 'Slack token (bot, user, app or configuration)',
    pattern: /\b(?:xox[abposre]-[A-Za-z0-9-]{10,}|xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+)\b/g
  },
  {
    rule: 'slack-webhook',
    description: 'Slack incoming webhook URL',
    pattern: /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/_-]{20,}/g
  },
  {
    rule: 'private-key',
    description: 'private key (PEM block)',
    pattern: /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/g
  },
  {
    rule: 'google-api-key',
    description: 'Google API key',
    pattern: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g
  },
  {
    rule: 'stripe-live-key',
    description: 'Stripe live secret or restricted key',
    pattern: /\b(?:sk|rk)_live_[0-9a-zA-Z]{24,}\b/g
  },
  {
    rule: 'gitlab-token',
    description: 'GitLab personal, project or group access token',
    pattern: /\bglpat-[0-9A-Za-z_-]{20,}(?![0-9A-Za-z_-])/g
  },
  {
    rule: 'npm-token',
    description: 'npm access token',
    pattern: /\bnpm_[A-Za-z0-9]{36}\b/g
  },
  {
    rule: 'jwt',
    description: 'JSON Web Token',
    pattern: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g
  }
]
