/**
 * The environment of the processes mlb starts (HAProxy, `haproxy -c`, a `--command`, zdd's
 * pre-kill hook) without the credentials mlb itself reads from it (spec §1.2, §2.1: Marathon's
 * user and password, the DC/OS service-account key, a Vault token) and without the user info of
 * URL values. DEVELOPERS.md: mlb never passes secrets on to a process it starts. For HAProxy
 * this is more than hygiene: it expands `"${NAME}"` in its configuration, so one app's template
 * label could otherwise put MARATHON_PASSWORD into a response header.
 */
import {redactUrl} from './redact.js'

/** Variables that hold a credential, whichever mlb command reads them. */
export const CREDENTIAL_ENV: readonly string[] = [
  'MARATHON_USER',
  'MARATHON_PASSWORD',
  'DCOS_SERVICE_ACCOUNT_CREDENTIAL',
  'MLB_AUTH_CREDENTIALS',
  'MLB_DCOS_AUTH_CREDENTIALS',
  'VAULT_TOKEN',
]

/** `scheme://user:pass@…` somewhere in a value. */
const URL_USER_INFO = /[a-z][a-z0-9+.-]*:\/\/[^\s/@]*@/i

/** A copy of `env` for a child process: credential variables removed, URL user info cut out. */
export function withoutCredentials(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || CREDENTIAL_ENV.includes(name)) continue
    out[name] = URL_USER_INFO.test(value) ? value.split(/(\s+)/).map((w) => (URL_USER_INFO.test(w) ? redactUrl(w) : w)).join('') : value
  }
  return out
}
