/**
 * The only logging surface library code sees. Entrypoints pass a RunnerLogger (the
 * runner's workflow commands, through @actions/core); tests pass a RecordingLogger. Library
 * code never writes workflow commands itself.
 */

/**
 * Where an annotation points, as @actions/core names it. Lines and columns are 1-based; `file`
 * is a path in the repository, or an absolute path under GITHUB_WORKSPACE, which the runner
 * makes relative. The runner drops the columns of an annotation spanning several lines.
 */
export interface AnnotationProperties {
  title?: string
  file?: string
  startLine?: number
  endLine?: number
  startColumn?: number
  endColumn?: number
}

export interface Logger {
  debug(message: string): void
  info(message: string): void
  /** An annotation of the lowest severity: worth seeing on the run's page, not a problem. */
  notice(message: string, properties?: AnnotationProperties): void
  warning(message: string, properties?: AnnotationProperties): void
  error(message: string, properties?: AnnotationProperties): void
  /** Runs `body` inside a collapsible log group that is always closed, also when `body` throws. */
  group<T>(name: string, body: () => Promise<T>): Promise<T>
  /** Registers a value to be masked in every later log line. */
  mask(secret: string): void
}

export type LogLevel = 'debug' | 'info' | 'notice' | 'warning' | 'error'

export interface LogEntry {
  level: LogLevel | 'group-start' | 'group-end' | 'mask'
  message: string
  /** Only on annotations that were given properties. */
  properties?: AnnotationProperties
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
  notice(message: string, properties?: AnnotationProperties): void {
    this.add('notice', message, properties)
  }
  warning(message: string, properties?: AnnotationProperties): void {
    this.add('warning', message, properties)
  }
  error(message: string, properties?: AnnotationProperties): void {
    this.add('error', message, properties)
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

  /** Annotations with their properties (file, line, title), in the order they were made. */
  annotations(level: 'notice' | 'warning' | 'error'): Array<{ message: string } & AnnotationProperties> {
    return this.entries.filter((e) => e.level === level).map((e) => ({ message: e.message, ...e.properties }))
  }

  private add(level: LogEntry['level'], message: string, properties?: AnnotationProperties): void {
    const text = this.masked(message)
    if (properties === undefined) this.entries.push({ level, message: text })
    else {
      const title = properties.title === undefined ? {} : { title: this.masked(properties.title) }
      this.entries.push({ level, message: text, properties: { ...properties, ...title } })
    }
    this.echo?.(`${level}: ${text}`)
  }

  private masked(text: string): string {
    let out = text
    for (const secret of this.secrets) out = out.split(secret).join('***')
    return out
  }
}
