/** `text` as UTF-8 bytes in pieces of `size`, as a body arrives from a socket (tests of the byte readers). */
export function chunks(text: string, size: number): Buffer[] {
  const buf = Buffer.from(text)
  const out: Buffer[] = []
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size))
  return out
}
