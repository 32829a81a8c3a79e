import type { ConflictDecision } from "../types.ts";
import type { ConflictResolver } from "./resolver.ts";

/**
 * Leaves every conflict pending, for a person to settle later with another
 * resolver or a custom one.
 */
export class ManualResolver implements ConflictResolver {
  /** The resolver's name. */
  readonly name: string = "manual";

  /** Decides nothing. */
  resolve(): ConflictDecision[] {
    return [];
  }
}
