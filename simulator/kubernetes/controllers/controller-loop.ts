/**
 * Runs the simulated control plane on a timer: every tick each controller reconciles
 * everything once. Writes are not reconciled synchronously, so (as on a real cluster) a
 * client can briefly observe `generation > status.observedGeneration` after a change.
 */
import type { Controller } from './controller-context.js'

export class ControllerLoop {
  private timer: NodeJS.Timeout | undefined
  private paused = false
  private readonly reported = new Set<string>()

  constructor(
    private readonly controllers: Controller[],
    private readonly tickMs: number
  ) {}

  start(): void {
    if (this.timer) return
    this.timer = setInterval(() => this.tick(), this.tickMs)
    this.timer.unref()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
  }

  pause(): void {
    this.paused = true
  }

  resume(): void {
    this.paused = false
  }

  tick(): void {
    if (this.paused) return
    for (const controller of this.controllers) {
      try {
        controller.sync()
      } catch (error) {
        // A controller failing on one odd object must not stop the others; say so once.
        const message = `${controller.constructor.name}: ${(error as Error).message}`
        if (!this.reported.has(message)) {
          this.reported.add(message)
          console.warn(`[kubernetes simulator] ${message}`)
        }
      }
    }
  }
}
