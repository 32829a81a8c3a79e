import type { z } from "zod";
import { TenantPairError } from "../errors.ts";
import {
  checkJsonValue,
  idSchema,
  parseField,
  timeStringSchema,
} from "../schemas.ts";
import type { JsonValue } from "../types.ts";
import { UsageError } from "./command.ts";

/**
 * The largest value the CLI sends, in UTF-8 bytes of its JSON text: the
 * `TenantPair` default for `maxValueBytes`, which the CLI does not change.
 */
const MAX_VALUE_BYTES = 65_536;

/** Text that starts like JSON, so a parse failure is a typo, not a word. */
const JSON_START = /^\s*[[{"]/;

/** A flag value as parsed: strings, switches, or a list of either. */
export type FlagValue = string | boolean | (string | boolean)[] | undefined;

/**
 * Turns the text of `--value` into a JSON value: JSON when it parses, and
 * otherwise the text itself as a string, unless it starts like JSON.
 *
 * @throws {UsageError} for text that starts with `{`, `[` or `"` but is not
 * valid JSON, so a typo in an object is not stored as a string.
 */
export function parseValueText(text: string, flag: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    if (!JSON_START.test(text)) return text;
    throw new UsageError(
      `Invalid ${flag}: it starts like JSON but does not parse (${
        (error as Error).message
      }); fix the JSON, or quote the text as a JSON string`,
    );
  }
}

/** Reads and checks the flags of one parsed command line. */
export class Flags {
  #values: Record<string, FlagValue>;
  #words: string[];

  /** Wraps values from `parseArgs` for the command with these words. */
  constructor(values: Record<string, FlagValue>, words: string[]) {
    this.#values = values;
    this.#words = words;
  }

  /** Returns whether the flag was given. */
  has(name: string): boolean {
    return this.#values[name] !== undefined;
  }

  /** Returns the flag's text as given, or `undefined`. */
  string(name: string): string | undefined {
    const value = this.#first(name);
    return typeof value === "string" ? value : undefined;
  }

  /** Returns whether a switch was given. */
  switch(name: string): boolean {
    return this.#first(name) === true;
  }

  /** Reads a required id, checked like the library checks ids. */
  id(name: string): string {
    return this.#check(idSchema, this.#required(name), name);
  }

  /** Reads an optional id, checked like the library checks ids. */
  optionalId(name: string): string | undefined {
    return this.text(name, idSchema);
  }

  /** Reads an optional text flag, checked with the library's schema. */
  text(name: string, schema: z.ZodType<string>): string | undefined {
    const text = this.string(name);
    return text === undefined ? undefined : this.#check(schema, text, name);
  }

  /** Reads a required text flag, checked with the library's schema. */
  requiredText(name: string, schema: z.ZodType<string>): string {
    return this.#check(schema, this.#required(name), name);
  }

  /** Reads every value of a repeatable flag, each checked with `schema`. */
  list(name: string, schema: z.ZodType<string>): string[] | undefined {
    const given = this.#values[name];
    if (given === undefined) return undefined;
    const texts = (Array.isArray(given) ? given : [given]).map(String);
    return texts.map((text) => this.#check(schema, text, name));
  }

  /**
   * Reads an optional whole number written in decimal digits, checked with the
   * library's schema: `"3.5"`, `"12px"` and `"1e3"` are usage errors.
   */
  integer(name: string, schema: z.ZodType<number>): number | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    if (!/^-?\d+$/.test(text.trim())) {
      throw this.#usage(
        `Invalid --${name}: must be a whole number written in digits; got ${
          JSON.stringify(text.slice(0, 100))
        }`,
      );
    }
    return this.#check(schema, Number(text), name);
  }

  /** Reads an optional ISO 8601 time with a zone, as the library accepts. */
  time(name: string): string | undefined {
    const text = this.string(name);
    return text === undefined
      ? undefined
      : this.#check(timeStringSchema, text, name);
  }

  /**
   * Reads a required JSON value, within the library's size and depth limits.
   * With `hideKeys`, messages leave out object keys, as the library does for
   * private preferences.
   */
  value(name: string, options: { hideKeys?: boolean } = {}): JsonValue {
    const text = this.#required(name);
    let value: JsonValue;
    try {
      value = parseValueText(text, `--${name}`);
    } catch (error) {
      throw this.#usage((error as Error).message);
    }
    this.#guard(() =>
      checkJsonValue(value, `--${name}`, {
        maxBytes: MAX_VALUE_BYTES,
        showKeys: options.hideKeys !== true,
      })
    );
    return value;
  }

  /** Raises a usage error about this command. */
  fail(message: string): never {
    throw this.#usage(message);
  }

  #first(name: string): string | boolean | undefined {
    const value = this.#values[name];
    return Array.isArray(value) ? value[0] : value;
  }

  #required(name: string): string {
    const text = this.string(name);
    if (text === undefined) {
      throw this.#usage(`Missing required flag --${name}`);
    }
    return text;
  }

  #check<T>(schema: z.ZodType<T>, value: unknown, name: string): T {
    return this.#guard(() => parseField(schema, value, `--${name}`));
  }

  #guard<T>(check: () => T): T {
    try {
      return check();
    } catch (error) {
      if (error instanceof TenantPairError) throw this.#usage(error.message);
      throw error;
    }
  }

  #usage(message: string): UsageError {
    return new UsageError(message, this.#words);
  }
}
