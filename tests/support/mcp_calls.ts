import assert from "node:assert/strict";
// @ts-types="@modelcontextprotocol/sdk/client"
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types";

/** Structured content of a tool result, as a plain record. */
// deno-lint-ignore no-explicit-any
export type Data = Record<string, any>;

/** Calls a tool and returns the raw result, error or not. */
export async function callRaw(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<CallToolResult> {
  return await client.callTool({ name, arguments: args }) as CallToolResult;
}

/** Returns the text of a result's first content block. */
export function textOf(result: CallToolResult): string {
  const first = result.content[0];
  return first?.type === "text" ? first.text : "";
}

/** Calls a tool that must succeed and returns its structured content. */
export async function call(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<Data> {
  const result = await callRaw(client, name, args);
  assert.notEqual(result.isError, true, `${name} failed: ${textOf(result)}`);
  assert.ok(result.structuredContent, `${name} returned no structuredContent`);
  return result.structuredContent as Data;
}

/** Calls a tool that must fail and returns its error text. */
export async function callError(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<string> {
  const result = await callRaw(client, name, args);
  assert.equal(result.isError, true, `${name} succeeded: ${textOf(result)}`);
  return textOf(result);
}

/** Creates a pair owned by `owner` with `others` joined by short code. */
export async function makePair(
  client: Client,
  owner: string,
  others: string[] = [],
): Promise<string> {
  const pair = await call(client, "create_pair", { creatorMemberId: owner });
  for (const member of others) {
    const invite = await call(client, "invite_member", {
      pairId: pair.pairId,
      inviterMemberId: owner,
    });
    await call(client, "accept_invite", {
      shortCode: invite.shortCode,
      memberId: member,
    });
  }
  return pair.pairId;
}

/**
 * Returns the current time once the clock has moved past it, so that the
 * next write is recorded strictly after the returned time.
 */
export async function markTime(): Promise<string> {
  const mark = Date.now();
  while (Date.now() <= mark) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return new Date(mark).toISOString();
}
