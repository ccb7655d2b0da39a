/**
 * What may stand as one word of HAProxy's configuration. App ids, health-check paths, task
 * addresses and basic-auth users and passwords are written into it as they are; a value with
 * white space, a quote, a backslash, `#` or a control character would end the word early, open a
 * quote or a comment, or start a new line (a health-check path ending in `\n  server evil …`
 * added a server). Marathon never sends such values where it checks them; where one comes, the
 * app or service is left out with a message instead.
 */
export const NOT_A_WORD = /[\s"'\\#\x00-\x1f\x7f]/

/** The message for a value that is not one word. */
export function notAWord(value: string): string {
  return `${JSON.stringify(value)} contains characters that would change the HAProxy configuration`
}
