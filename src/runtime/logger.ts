/**
 * The only logging surface library code sees. Entrypoints pass a RunnerLogger (the
 * runner's workflow commands); tests pass a RecordingLogger. Library code never writes
 * workflow commands itself.
 */
export interface AnnotationProperties {
  title?: string
  file?: string
  startLine?: number
}

export interface Logger {
  debug(message: string): void
  info(message: string): void
  warning(message: string, properties?: AnnotationProperties): void
  error(message: string, properties?: AnnotationProperties): void
  /** Runs `body` inside a collapsible log group that is always closed, also when `body` throws. */
  group<T>(name: string, body: () => Promise<T>): Promise<T>
  /** Registers a value to be masked in every later log line. */
  mask(secret: string): void
}

export type LogLevel = 'debug' | 'info' | 'warning' | 'error'

export interface LogEntry {
  level: LogLevel | 'group-start' | 'group-end' | 'mask'
  message: string
}

/** A Logger that keeps what it was told, for tests and for the demo's replay. */
export class RecordingLogger implements Logger {
  readonly entries: LogEntry[] = []
  private readonly secrets = new Set<string>()

  constructor(private readonly echo?: (line: string) => void) {}

  debug(message: string): void {
    this.add('debug', message)
  }
  info(message: string): void {
    this.add('info', message)
  }
  warning(message: string): void {
    this.add('warning', message)
  }
  error(message: string): void {
    this.add('error', message)
  }
  async group<T>(name: string, body: () => Promise<T>): Promise<T> {
    this.add('group-start', name)
    try {
      return await body()
    } finally {
      this.add('group-end', name)
    }
  }
  mask(secret: string): void {
    if (secret) this.secrets.add(secret)
    this.entries.push({ level: 'mask', message: '***' })
  }

  /** Every line as it would appear in a runner's log, with masked values replaced. */
  get text(): string {
    return this.entries.map((e) => `${e.level}: ${e.message}`).join('\n')
  }

  messages(level: LogLevel): string[] {
    return this.entries.filter((e) => e.level === level).map((e) => e.message)
  }

  private add(level: LogEntry['level'], message: string): void {
    let text = message
    for (const secret of this.secrets) text = text.split(secret).join('***')
    this.entries.push({ level, message: text })
    this.echo?.(`${level}: ${text}`)
  }
}
