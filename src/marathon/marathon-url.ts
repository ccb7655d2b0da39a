/**
 * A `--marathon` URL, `http(s)://[user:password@]host[:port][/prefix]`. Its user info is Basic
 * auth for that host only (Python requests, which marathon-lb uses, takes a URL's own credentials
 * for that URL alone, and an explicit `auth=` over them), and it must never reach a log or an
 * error: it is split off here, once, for the REST client and the event stream.
 */
import {MarathonError} from '../errors.js'
import {withoutUserInfo} from '../redact.js'
import {BasicAuth} from './auth.js'

/** A Marathon base URL without user info and without a trailing `/`, and that user info. */
export interface MarathonUrl {
  readonly url: string
  readonly auth: BasicAuth | undefined
}

/** Parses a `--marathon` URL; a MarathonError names it with any user info removed. */
export function parseMarathonUrl(raw: string): MarathonUrl {
  let u: URL
  try {
    u = new URL(raw)
  } catch {
    throw new MarathonError(`invalid Marathon URL: ${shown(raw)}`)
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new MarathonError(`invalid Marathon URL (not http or https): ${shown(raw)}`)
  const auth = u.username === '' && u.password === '' ? undefined : new BasicAuth(unquote(u.username), unquote(u.password))
  u.username = ''
  u.password = ''
  return {url: u.toString().replace(/\/+$/, ''), auth}
}

/**
 * Percent-decoding as Python's `urllib.parse.unquote`: runs of `%XX` become UTF-8 text (invalid
 * sequences become U+FFFD), and a `%` that starts no escape stays as it is (`decodeURIComponent`
 * throws there, and a password such as `100%` is valid).
 */
function unquote(s: string): string {
  return s.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => Buffer.from(run.replaceAll('%', ''), 'hex').toString('utf8'))
}

/**
 * A value that is not an http(s) URL, for an error message. It is often not one because of its
 * password: a `/` in it (`http://u:pa/ss@h`), no scheme (`u:pass@h` parses as scheme `u:`), or a
 * space, which splits one `-m` value into two (`http://u:pa` and `ss@h`). So everything before
 * the last `@` goes, and a `host:` followed by something that is no port number is cut there.
 */
function shown(raw: string): string {
  if (raw.includes('@')) return withoutUserInfo(raw)
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(raw)?.[0] ?? ''
  const colon = raw.indexOf(':', scheme.length)
  const end = raw.indexOf('/', scheme.length)
  const port = colon < 0 ? '' : raw.slice(colon + 1, end < 0 ? undefined : end)
  return colon < 0 || (end >= 0 && end < colon) || /^\d*$/.test(port) ? raw : `${raw.slice(0, colon)}:***${end < 0 ? '' : raw.slice(end)}`
}
