/**
 * Secret-shaped strings for the scanner's tests, generated at run time from a fixed seed so
 * that no token-shaped literal sits in the repository (which would trip secret scanning on
 * push). `parts` are the random bodies: no finding or message may contain any piece of them.
 */

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const UPPER32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
const BASE64URL = `${ALNUM}-_`

function generator(seed: number): (alphabet: string, length: number) => string {
  let state = seed >>> 0
  const next = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return (alphabet, length) =>
    Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join('')
}

export interface FakeSecrets {
  githubToken: string
  githubFineGrained: string
  awsKeyId: string
  slackToken: string
  googleKey: string
  stripeKey: string
  jwt: string
  privateKeyBody: string
  urlPassword: string
  envApiKey: string
  dbPassword: string
  secretData: string
  /** The random parts of all of the above. */
  parts: string[]
}

export function fakeSecrets(seed = 20250601): FakeSecrets {
  const random = generator(seed)
  const parts: string[] = []
  const part = (alphabet: string, length: number) => {
    const value = random(alphabet, length)
    parts.push(value)
    return value
  }
  const join = (...pieces: string[]) => pieces.join('')
  return {
    githubToken: join('gh', 'p_', part(ALNUM, 36)),
    githubFineGrained: join('github', '_pat_', part(ALNUM, 22), '_', part(ALNUM, 59)),
    awsKeyId: join('AK', 'IA', part(UPPER32, 16)),
    slackToken: join('xo', 'xb-', part('0123456789', 12), '-', part(ALNUM, 24)),
    googleKey: join('AI', 'za', part(BASE64URL, 35)),
    stripeKey: join('sk', '_live_', part(ALNUM, 32)),
    jwt: join('ey', 'JhbGciOiJIUzI1NiJ9.', 'ey', 'J', part(BASE64URL, 40), '.', part(BASE64URL, 43)),
    privateKeyBody: part(`${ALNUM}+/`, 64),
    urlPassword: part(ALNUM, 20),
    envApiKey: part(ALNUM, 32),
    dbPassword: part(`${ALNUM}!#%&*+`, 24),
    secretData: part(`${ALNUM}+/`, 40),
    parts
  }
}
