import { TenantPair, TenantPairError } from "../../mod.ts";
import type { TenantPairOptions, TenantStore } from "../../mod.ts";
import { STORE_FACTORIES } from "./stores.ts";
import assert from "node:assert/strict";

/** A clock tests move by hand. */
export class TestClock {
  time: number;

  constructor(start = Date.parse("2026-03-01T09:00:00.000Z")) {
    this.time = start;
  }

  now = (): Date => new Date(this.time);

  advance(ms: number): number {
    this.time += ms;
    return this.time;
  }

  iso(): string {
    return new Date(this.time).toISOString();
  }
}

/** What each conformance test receives. */
export interface Fixture {
  store: TenantStore;
  clock: TestClock;
  tenants: TenantPair;
  /** Another service on the same store, with other options. */
  withOptions(options: Omit<TenantPairOptions, "store">): TenantPair;
}

/**
 * Registers one test per store in the conformance list, named
 * "<store>: <name>". Each run gets a fresh, empty store.
 */
export function storeTest(
  name: string,
  fn: (fixture: Fixture) => Promise<void>,
  options: Omit<TenantPairOptions, "store" | "now"> = {},
): void {
  for (const factory of STORE_FACTORIES) {
    Deno.test({
      name: `${factory.name}: ${name}`,
      ignore: factory.ignore,
      sanitizeOps: false,
      sanitizeResources: false,
      async fn() {
        const { store, cleanup } = await factory.create();
        const clock = new TestClock();
        try {
          const tenants = new TenantPair({ store, now: clock.now, ...options });
          await fn({
            store,
            clock,
            tenants,
            withOptions: (more) =>
              new TenantPair({ store, now: clock.now, ...more }),
          });
        } finally {
          await cleanup();
        }
      },
    });
  }
}

/** Asserts that `promise` rejects with a TenantPairError of `code`. */
export async function assertCode(
  promise: Promise<unknown>,
  code: string,
  messageIncludes?: string,
): Promise<TenantPairError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(
    caught instanceof TenantPairError,
    `expected TenantPairError ${code}, got ${String(caught)}`,
  );
  assert.equal(caught.code, code, caught.message);
  if (messageIncludes !== undefined) {
    assert.ok(
      caught.message.includes(messageIncludes),
      `message ${JSON.stringify(caught.message)} lacks ${
        JSON.stringify(messageIncludes)
      }`,
    );
  }
  return caught;
}

/** Creates a pair owned by alice with bob joined. */
export async function aliceAndBob(
  tenants: TenantPair,
): Promise<{ pairId: string }> {
  const pair = await tenants.createPair({
    creatorMemberId: "alice",
    displayName: "Alice",
  });
  await tenants.acceptInvite({
    inviteToken: pair.inviteToken,
    memberId: "bob",
    displayName: "Bob",
  });
  return { pairId: pair.pairId };
}
