/**
 * Secrets never reach logs, errors or process arguments (DEVELOPERS.md). These helpers strip
 * them from the few strings that could carry them.
 */

/** A URL with any `user:password@` part removed; non-URLs are returned unchanged. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.username === '' && u.password === '') return url
    u.username = ''
    u.password = ''
    return u.toString()
  } catch {
    return withoutUserInfo(url)
  }
}

/**
 * A text that is not a parsable URL, often because of the password itself (a `/` or a space in
 * it, or no scheme): everything before the last `@` may be user info, so none of it is shown
 * (`http://u:pa/ss@h` → `http://***@h`). Text without `@` is returned unchanged.
 */
export function withoutUserInfo(text: string): string {
  const at = text.lastIndexOf('@')
  if (at < 0) return text
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text)?.[0] ?? ''
  return `${scheme}***@${text.slice(at + 1)}`
}

/** `text` with every occurrence of each secret replaced by `***`. */
export function redactSecrets(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text
  for (const s of secrets) {
    if (s !== undefined && s.length >= 3) out = out.split(s).join('***')
  }
  return out
}
