/** Integer label values, read the way Python's `int(str)` reads them (spec §3). */

/** Python `int(text)` for decimal strings (surrounding spaces, sign, `_` separators). */
export function parsePyInt(text: string): number | undefined {
  if (!/^\s*[+-]?\d+(?:_\d+)*\s*$/.test(text)) return undefined
  const n = Number(text.trim().replaceAll('_', ''))
  return Number.isSafeInteger(n) ? n : undefined
}
