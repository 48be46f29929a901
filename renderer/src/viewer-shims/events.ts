/**
 * A minimal `events` module for the browser build: vtk.js (under @cornerstonejs/core) pulls in
 * xmlbuilder2, whose callback builder extends Node's EventEmitter at load time. The viewer never
 * builds XML; this keeps the class definable (renderer/vite.config.ts aliases `events` here).
 */
type Listener = (...args: unknown[]) => void;

/** The part of Node's EventEmitter xmlbuilder2 uses. */
export class EventEmitter {
  private readonly listeners = new Map<string | symbol, Listener[]>();

  on(name: string | symbol, fn: Listener): this {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]);
    return this;
  }

  addListener(name: string | symbol, fn: Listener): this {
    return this.on(name, fn);
  }

  once(name: string | symbol, fn: Listener): this {
    const wrapped: Listener = (...args) => {
      this.off(name, wrapped);
      fn(...args);
    };
    return this.on(name, wrapped);
  }

  off(name: string | symbol, fn: Listener): this {
    this.listeners.set(
      name,
      (this.listeners.get(name) ?? []).filter((f) => f !== fn),
    );
    return this;
  }

  removeListener(name: string | symbol, fn: Listener): this {
    return this.off(name, fn);
  }

  removeAllListeners(name?: string | symbol): this {
    if (name === undefined) this.listeners.clear();
    else this.listeners.delete(name);
    return this;
  }

  emit(name: string | symbol, ...args: unknown[]): boolean {
    const fns = this.listeners.get(name) ?? [];
    for (const fn of [...fns]) fn(...args);
    return fns.length > 0;
  }
}

export default EventEmitter;
