import type { Conflict, ConflictDecision } from "../types.ts";

/**
 * Picks winners among a key's current version and its pending candidates.
 *
 * `resolve` returns one decision per key it settles; keys it leaves out stay
 * pending. A resolver that throws, or names a candidate that is not pending,
 * changes nothing.
 *
 * @example A resolver that always keeps the current value
 * ```ts
 * import type { ConflictResolver } from "../../mod.ts";
 *
 * const keepCurrent: ConflictResolver = {
 *   name: "keep-current",
 *   resolve: (conflicts) =>
 *     conflicts.map((c) => ({ namespace: c.namespace, key: c.key, winner: "current" })),
 * };
 * ```
 */
export interface ConflictResolver {
  /** A short name for logs, such as `"lww"`. */
  readonly name: string;
  /** Decides the winners; may be async. */
  resolve(
    conflicts: readonly Conflict[],
  ): ConflictDecision[] | Promise<ConflictDecision[]>;
}
