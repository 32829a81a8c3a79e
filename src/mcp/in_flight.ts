/**
 * A count of running request handlers, so a server stopping at the end of
 * stdin can respond to every request it already read before it closes the
 * database.
 */
export class InFlight {
  #running = 0;
  #waiters: (() => void)[] = [];

  /** Runs `fn`, counting it as in flight until it settles. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    this.#running++;
    try {
      return await fn();
    } finally {
      this.#running--;
      if (this.#running === 0) this.#wake();
    }
  }

  /** Resolves once no handler is running. */
  settled(): Promise<void> {
    if (this.#running === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
