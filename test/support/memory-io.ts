import type { ActionIO, InputName, OutputName, StateName } from '../../src/runtime/action-io.js'

/** The runner's side of the protocol (inputs, outputs, state, summary), in memory. */
export class MemoryIO implements ActionIO {
  readonly outputs: Record<string, string> = {}
  readonly state: Record<string, string> = {}
  summary = ''
  failed: string | undefined
  constructor(private readonly inputs: Partial<Record<InputName, string>>) {}
  getInput(name: InputName): string {
    return (this.inputs[name] ?? '').trim()
  }
  setOutput(name: OutputName, value: string): void {
    this.outputs[name] = value
  }
  saveState(name: StateName, value: string): void {
    this.state[name] = value
  }
  getState(name: StateName): string {
    return this.state[name] ?? ''
  }
  async appendSummary(markdown: string): Promise<void> {
    this.summary += markdown
  }
  setFailed(message: string): void {
    this.failed = message
  }
}
