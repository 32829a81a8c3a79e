import { quote, TenantPairError } from "../errors.ts";
import type { TenantPair } from "../tenant_pair.ts";

/**
 * The caller of the server. A server bound to a member acts only as that
 * member. An unbound server trusts the member ids in the arguments.
 */
export class Identity {
  /** The member the server is bound to, or `undefined` when unbound. */
  readonly boundMemberId: string | undefined;

  /** Creates the identity of a server bound to `boundMemberId`, if requested. */
  constructor(boundMemberId?: string) {
    this.boundMemberId = boundMemberId;
  }

  /**
   * Picks the acting member: the bound member, or the argument when unbound.
   *
   * @throws {TenantPairError} `FORBIDDEN` when the argument names another
   * member than the bound one; `INVALID_INPUT` when unbound and the argument
   * is missing.
   */
  actor(requested: string | undefined, field: string): string {
    const actor = this.optionalActor(requested, field);
    if (actor === undefined) {
      throw new TenantPairError(
        "INVALID_INPUT",
        `Missing ${field}: this server is not bound to a member, so name the acting member`,
        { details: { field } },
      );
    }
    return actor;
  }

  /**
   * Like {@linkcode Identity.actor}, but returns `undefined` when unbound and
   * the argument is missing.
   *
   * @throws {TenantPairError} `FORBIDDEN` when the argument names another
   * member than the bound one.
   */
  optionalActor(
    requested: string | undefined,
    field: string,
  ): string | undefined {
    const bound = this.boundMemberId;
    if (bound === undefined) return requested;
    if (requested !== undefined && requested !== bound) {
      throw new TenantPairError(
        "FORBIDDEN",
        `Cannot act as ${quote(requested)}: this server is bound to member ${
          quote(bound)
        }; leave ${field} out or set it to ${quote(bound)}`,
        { details: { field } },
      );
    }
    return bound;
  }

  /**
   * Picks whose private data a call reads or erases: only the bound member's
   * own, or any member's when unbound.
   *
   * @throws {TenantPairError} `FORBIDDEN` when bound and `requested` names
   * another member; `INVALID_INPUT` when unbound and it is missing.
   */
  privateSubject(
    requested: string | undefined,
    field: string,
    dataKind: string,
  ): string {
    const bound = this.boundMemberId;
    if (bound !== undefined && requested !== undefined && requested !== bound) {
      throw new TenantPairError(
        "FORBIDDEN",
        `Cannot access the ${dataKind} of ${
          quote(requested)
        }: this server is bound to member ${
          quote(bound)
        } and only that member's own are available`,
        { details: { field } },
      );
    }
    return this.actor(requested, field);
  }
}

/**
 * Checks that `memberId` is an active member of the pair before a read that
 * the library does not check itself. Does nothing when no reader is known.
 *
 * @throws {TenantPairError} `PAIR_NOT_FOUND` or `NOT_A_MEMBER`.
 */
export async function requireReader(
  tenants: TenantPair,
  pairId: string,
  memberId: string | undefined,
): Promise<void> {
  if (memberId === undefined) return;
  const members = await tenants.listMembers(pairId);
  if (members.some((member) => member.memberId === memberId)) return;
  throw new TenantPairError(
    "NOT_A_MEMBER",
    `Cannot read pair ${quote(pairId)} as ${
      quote(memberId)
    }: not an active member; join with an invite first`,
    { details: { pairId, memberId } },
  );
}
