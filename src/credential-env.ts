/**
 * The environment of the processes mlb starts (HAProxy, `haproxy -c`, a `--command`, zdd's
 * pre-kill hook) without the credentials mlb itself reads from it (spec §1.2, §2.1: Marathon's
 * user and password, the DC/OS service-account key, a Vault token) and without the user info of
 * URL values. DEVELOPERS.md: mlb never passes secrets on to a process it starts. For HAProxy
 * this is more than hygiene: it expands `"${NAME}"` in its configuration, so one app's template
 * label could otherwise put MARATHON_PASSWORD into a response header.
 */
/** Variables that hold a credential, whichever mlb command reads them. */
export const CREDENTIAL_ENV: readonly string[] = [
  'MARATHON_USER',
  'MARATHON_PASSWORD',
  'DCOS_SERVICE_ACCOUNT_CREDENTIAL',
  'MLB_AUTH_CREDENTIALS',
  'MLB_DCOS_AUTH_CREDENTIALS',
  'VAULT_TOKEN',
]

/** `scheme://user:pass@` (any user info, up to the authority's last `@`). */
const URL_USER_INFO = /([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi

/**
 * A copy of `env` for a child process: the credential variables removed, and the user info of
 * every URL in any value cut out (`MLB_MARATHON=http://bob:pass@host:8080` → `http://host:8080`),
 * the rest kept byte for byte so the address still works.
 */
export function withoutCredentials(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && !CREDENTIAL_ENV.includes(name)) out[name] = value.replace(URL_USER_INFO, '$1')
  }
  return out
}
