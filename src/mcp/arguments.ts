import { z } from "zod";
import { ID_PATTERN } from "../schemas.ts";
import type { JsonValue } from "../types.ts";

/**
 * Zod schemas for tool arguments. They repeat the library's limits so a
 * client sees them in `tools/list`, and their messages name the rule; the
 * SDK adds the field path. The library checks every value again.
 */

/** Control characters and lone surrogates, rejected in every text field. */
const CONTROL = /[\p{Cc}\p{Cs}]/u;

/** Digits only, at most 16, so `Number()` of them is exact or clearly too big. */
const DIGITS = /^[0-9]{1,16}$/;

function requiredString(kind: string): z.ZodString {
  return z.string({
    error: (issue) =>
      issue.input === undefined ? "is required" : `must be ${kind}`,
  });
}

/** Builds the schema of a pair, member, invite or namespace id. */
export function idArgument(description: string): z.ZodString {
  return requiredString("a string id").min(1, "must not be empty")
    .max(64, "must be at most 64 characters")
    .regex(
      ID_PATTERN,
      "must start with a letter or digit and use only A-Z, a-z, 0-9 and . _ : @ + -",
    )
    .describe(description);
}

/** Builds the schema of free text: `max` characters, no control characters. */
export function textArgument(max: number, description: string): z.ZodString {
  return requiredString("a string").min(1, "must not be empty")
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !CONTROL.test(value), {
      message: "must not contain control characters",
    })
    .describe(description);
}

/** Builds the schema of a state or preference key. */
export function keyArgument(description: string): z.ZodString {
  return textArgument(128, description);
}

/** Builds the schema of a list of keys to read. */
export function keysArgument(
  description: string,
): z.ZodArray<z.ZodString> {
  return z.array(keyArgument("A key."), {
    error: "must be an array of key strings",
  }).max(256, "must list at most 256 keys").describe(description);
}

/** Builds the schema of a time: ISO 8601 with `Z` or an offset. */
export function timeArgument(description: string): z.ZodString {
  const withZone =
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
  return requiredString("an ISO 8601 time string")
    .max(64, "must be at most 64 characters")
    .refine(
      (value) => withZone.test(value) && !Number.isNaN(Date.parse(value)),
      {
        message:
          "must be an ISO 8601 time with a zone, such as 2026-12-04T15:10:41.123Z",
      },
    )
    .describe(description);
}

/**
 * Builds the schema of a whole number from `min` to `max`, given as a JSON
 * number or as a string of decimal digits such as `"3600"`. Signs, decimals, exponents and units
 * are rejected; the value is never rounded.
 */
export function integerArgument(
  min: number,
  max: number,
  description: string,
): z.ZodType<number, number | string> {
  const rule =
    `must be a whole number from ${min} to ${max}, as a number or a string of decimal digits`;
  const range = z.number().int(rule).min(min, rule).max(max, rule);
  const digits = z.string().regex(DIGITS, rule).transform(Number).pipe(range);
  return z.union([range, digits], {
    error: (issue) => issue.input === undefined ? "is required" : rule,
  }).describe(description);
}

/** Builds the schema of a JSON value, which is never coerced. */
export function jsonArgument(description: string): z.ZodType<JsonValue> {
  return z.json({
    error: (issue) =>
      issue.input === undefined ? "is required" : "must be a JSON value",
  }).describe(description);
}

/** Builds the schema of a flag given as a JSON boolean. */
export function booleanArgument(description: string): z.ZodBoolean {
  return z.boolean({ error: "must be true or false" }).describe(description);
}
