import type { Conflict, ConflictDecision } from "../types.ts";
import type { ConflictResolver } from "./resolver.ts";

/**
 * Last writer wins: the value with the latest valid time wins. On a tie the
 * later write wins, so a candidate beats the current version it was raised
 * against and a later candidate beats an earlier one.
 *
 * @example
 * ```ts
 * import { LWWResolver, SqliteTenantStore, TenantPair } from "../../mod.ts";
 *
 * const tenants = new TenantPair({
 *   store: new SqliteTenantStore(),
 *   resolver: new LWWResolver(),
 * });
 * ```
 */
export class LWWResolver implements ConflictResolver {
  /** The resolver's name. */
  readonly name: string = "lww";

  /** Picks one winner for every conflict. */
  resolve(conflicts: readonly Conflict[]): ConflictDecision[] {
    return conflicts.map((conflict) => {
      let winner = "current";
      let latest = Date.parse(conflict.current.validFrom);
      for (const candidate of conflict.candidates) {
        const validFrom = Date.parse(candidate.validFrom);
        if (validFrom >= latest) {
          winner = candidate.candidateId;
          latest = validFrom;
        }
      }
      return { namespace: conflict.namespace, key: conflict.key, winner };
    });
  }
}
