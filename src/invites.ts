import { createHash } from "node:crypto";

/** Crockford base32: digits and capitals without I, L, O and U. */
export const SHORT_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** Random bytes in an invite token: 256 bits. */
export const TOKEN_BYTES = 32;

/** Source of random bytes, such as the platform CSPRNG. */
export type RandomSource = (length: number) => Uint8Array;

/** Fills a new array from the platform's cryptographic generator. */
export function cryptoRandom(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(
    /=+$/,
    "",
  );
}

/** Creates an invite token: 32 random bytes in base64url, 43 characters. */
export function createToken(random: RandomSource): string {
  return toBase64Url(random(TOKEN_BYTES));
}

/**
 * Creates a short code of 8 Crockford symbols shown as `XXXX-XXXX`.
 * Five random bytes give exactly 40 bits, 5 per symbol, so every symbol is
 * uniform.
 */
export function createShortCode(random: RandomSource): string {
  const bytes = random(5);
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let code = "";
  for (let i = 7; i >= 0; i--) {
    code += SHORT_CODE_ALPHABET[Number((bits >> BigInt(i * 5)) & 31n)];
  }
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * Normalises a short code as typed or read aloud: upper case, without dashes
 * and spaces, O read as 0 and I or L read as 1. Returns `undefined` when the
 * result is not 8 symbols of the alphabet.
 */
export function normalizeShortCode(input: string): string | undefined {
  const code = input.toUpperCase().replace(/[\s-]/g, "").replaceAll("O", "0")
    .replace(/[IL]/g, "1");
  if (code.length !== 8) return undefined;
  for (const symbol of code) {
    if (!SHORT_CODE_ALPHABET.includes(symbol)) return undefined;
  }
  return code;
}

/** SHA-256 of a secret as lower-case hex: the only form a store keeps. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/**
 * The key under which wrong short codes of a member are counted: a digest,
 * so the records, which must outlive an erasure of the member to keep the
 * rate limit honest, do not hold the member id in clear.
 */
export function attemptKey(memberId: string): string {
  return hashSecret(`wrong-short-code:${memberId}`);
}

/** Creates a public id with a prefix and 16 random Crockford symbols. */
export function createId(prefix: string, random: RandomSource): string {
  const bytes = random(10);
  let id = "";
  for (const byte of bytes) {
    id += SHORT_CODE_ALPHABET[byte >> 3];
    id += SHORT_CODE_ALPHABET[byte & 7];
  }
  return `${prefix}-${id.toLowerCase()}`;
}
