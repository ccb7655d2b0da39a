/**
 * The `message` of an error body from Marathon or the DC/OS login (`{"message": "…"}`,
 * marathon-api §9), as the tail of mlb's own error line. It is the server's text: control
 * characters are shown escaped (`\n`, `\u001b`), since a newline would forge a second log line
 * and an escape sequence rewrite the terminal.
 */

/** `: <message>` from a parsed error body, or nothing when it has no non-empty `message`. */
export function serverMessage(body: unknown): string {
  const m = typeof body === 'object' && body !== null ? (body as {message?: unknown}).message : undefined
  return typeof m === 'string' && m !== '' ? `: ${m.replace(/[\x00-\x1f\x7f]/g, (c) => JSON.stringify(c).slice(1, -1))}` : ''
}
