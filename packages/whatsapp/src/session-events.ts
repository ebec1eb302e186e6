// Typed event plumbing shared by both engines. A listener that throws is logged, never allowed to
// break the engine's own event handling.
import { EventEmitter } from "node:events";
import type { EngineEventName, EngineEvents, EngineLogger } from "./engine";

export class SessionEvents {
  private readonly emitter = new EventEmitter();

  constructor(private readonly logger: EngineLogger) {}

  on<E extends EngineEventName>(event: E, listener: EngineEvents[E]): void {
    this.emitter.on(event, listener as (...args: unknown[]) => void);
  }

  off<E extends EngineEventName>(event: E, listener: EngineEvents[E]): void {
    this.emitter.off(event, listener as (...args: unknown[]) => void);
  }

  emit<E extends EngineEventName>(event: E, ...args: Parameters<EngineEvents[E]>): void {
    for (const listener of this.emitter.listeners(event)) {
      try {
        (listener as (...a: unknown[]) => void)(...args);
      } catch (err) {
        this.logger.error({ err, event }, "engine event listener threw");
      }
    }
  }
}

const noop = () => {};

/** Logger that drops everything (the default: Baileys is chatty). */
export const silentLogger: EngineLogger = {
  level: "silent",
  child: () => silentLogger,
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
};

/** What both engines' sessions share: identity, logger and the typed on/off of EngineSession. */
export abstract class EventedSession {
  readonly sessionId: string;
  protected readonly logger: EngineLogger;
  protected readonly events: SessionEvents;

  constructor(options: { sessionId: string; logger?: EngineLogger }) {
    this.sessionId = options.sessionId;
    this.logger = options.logger ?? silentLogger;
    this.events = new SessionEvents(this.logger);
  }

  on<E extends EngineEventName>(event: E, listener: EngineEvents[E]): this {
    this.events.on(event, listener);
    return this;
  }

  off<E extends EngineEventName>(event: E, listener: EngineEvents[E]): this {
    this.events.off(event, listener);
    return this;
  }
}
