import type { StateChange } from "../types.ts";

type Listener = (change: StateChange) => void;

/** Fans committed changes out to the listeners of each pair. */
export class ChangeHub {
  #listeners = new Map<string, Set<Listener>>();

  /** Adds a listener and returns a function that removes it. */
  add(pairId: string, listener: Listener): () => Promise<void> {
    let set = this.#listeners.get(pairId);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(pairId, set);
    }
    // Wrap so the same function subscribed twice is heard twice and
    // removed once per unsubscribe.
    const entry: Listener = (change) => listener(change);
    set.add(entry);
    return () => {
      set.delete(entry);
      if (set.size === 0 && this.#listeners.get(pairId) === set) {
        this.#listeners.delete(pairId);
      }
      return Promise.resolve();
    };
  }

  /** Calls each listener of the change's pair; a throwing listener is skipped. */
  emit(change: StateChange): void {
    const set = this.#listeners.get(change.pairId);
    if (set === undefined) return;
    for (const listener of [...set]) {
      // A listener's failure must not undo a committed write, starve the
      // other listeners or, as an unhandled rejection, end the process.
      try {
        const result: unknown = listener(change);
        if (result instanceof Promise) result.catch(() => {});
      } catch {
        // Ignored for the reasons above.
      }
    }
  }
}
