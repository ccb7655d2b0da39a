/**
 * Short ASCII strings of Marathon's body, decoded once and shared: task states, hosts, IPs and
 * label values repeat across tasks and regenerations, and JSON.parse shares short strings too.
 */

/** ASCII strings up to this length are shared through a small direct-mapped table. */
const INTERN_MAX = 32
const INTERN_SLOTS = 8192
const INTERNED: (string | undefined)[] = new Array<string | undefined>(INTERN_SLOTS).fill(undefined)

interface Latin1 {
  latin1Slice(start: number, end: number): string
}

/** The ASCII bytes `start..end` of `b` as a string, shared with earlier equal ones when short. */
export function asciiString(b: Buffer, start: number, end: number): string {
  const decode = b as unknown as Latin1
  if (end - start > INTERN_MAX) return decode.latin1Slice(start, end)
  let hash = 0x811c9dc5
  for (let k = start; k < end; k++) hash = Math.imul(hash ^ b[k]!, 0x01000193)
  const slot = (hash >>> 0) & (INTERN_SLOTS - 1)
  const hit = INTERNED[slot]
  if (hit !== undefined && hit.length === end - start) {
    let k = 0
    while (k < hit.length && hit.charCodeAt(k) === b[start + k]) k++
    if (k === hit.length) return hit
  }
  return (INTERNED[slot] = decode.latin1Slice(start, end))
}
