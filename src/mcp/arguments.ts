import { z } from "zod";
import {
  idSchema,
  keySchema,
  keysSchema,
  shortCodeSchema,
  textSchema,
  timeStringSchema,
  tokenSchema,
} from "../schemas.ts";
import type { JsonValue } from "../types.ts";

/**
 * Zod schemas for tool arguments, built on the schemas the library checks
 * with, so a client sees the same limits in `tools/list` and gets the same
 * messages; the SDK adds the field path.
 */

/** Digits only, at most 16, so `Number()` of them is exact or clearly too big. */
const DIGITS = /^[0-9]{1,16}$/;

/** Builds the schema of a pair, member, invite or namespace id. */
export function idArgument(description: string): z.ZodString {
  return idSchema.describe(description);
}

/** Builds the schema of free text: `max` characters, no control characters. */
export function textArgument(max: number, description: string): z.ZodString {
  return textSchema(max).describe(description);
}

/** Builds the schema of a state or preference key. */
export function keyArgument(description: string): z.ZodString {
  return keySchema.describe(description);
}

/** Builds the schema of a list of keys to read. */
export function keysArgument(
  description: string,
): z.ZodArray<z.ZodString> {
  return keysSchema.describe(description);
}

/** Builds the schema of a time: ISO 8601 with `Z` or an offset. */
export function timeArgument(description: string): z.ZodString {
  return timeStringSchema.describe(description);
}

/** Builds the schema of an invite token from a link. */
export function tokenArgument(description: string): z.ZodString {
  return tokenSchema.describe(description);
}

/** Builds the schema of a short code as typed or read aloud. */
export function shortCodeArgument(description: string): z.ZodString {
  return shortCodeSchema.describe(description);
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

/**
 * Builds the schema of a JSON value, which is never coerced. The library
 * checks it (type, size, nesting depth) without rebuilding it, so keys such
 * as `__proto__` survive; recursion in the argument schema would do neither.
 */
export function jsonArgument(description: string): z.ZodType<JsonValue> {
  const anyValue = z.unknown().refine((value) => value !== undefined, {
    message: "is required",
  });
  return anyValue.describe(description) as z.ZodType<JsonValue>;
}

/** Builds the schema of a flag given as a JSON boolean. */
export function booleanArgument(description: string): z.ZodBoolean {
  return z.boolean({ error: "must be true or false" }).describe(description);
}
