/** Byte values of JSON's structural characters, shared by the streaming and projecting parsers. */
export const QUOTE = 0x22
export const BACKSLASH = 0x5c
export const OPEN_OBJ = 0x7b
export const CLOSE_OBJ = 0x7d
export const OPEN_ARR = 0x5b
export const CLOSE_ARR = 0x5d
export const COMMA = 0x2c
export const COLON = 0x3a

/** JSON white space (RFC 8259 §2). */
export function isWs(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
}
