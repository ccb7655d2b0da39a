/**
 * A Marathon over HTTPS on 127.0.0.1 for the tests of `--marathon-ca-cert`: a self-signed
 * certificate (`goodCa` verifies it) and a second one that does not (`wrongCa`). Needs openssl
 * (`apt-get install -y openssl`).
 */
import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {createServer} from 'node:https'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'

/** The running server; `requests` are `METHOD /path` in arrival order. */
export interface TlsMarathon {
  readonly url: string
  readonly goodCa: string
  readonly wrongCa: string
  readonly requests: string[]
  close(): Promise<void>
}

/** A self-signed certificate for 127.0.0.1 written into `dir` as `<name>.key` and `<name>.pem`. */
function selfSigned(dir: string, name: string): {key: string; cert: string; certPath: string} {
  const key = join(dir, `${name}.key`)
  const cert = join(dir, `${name}.pem`)
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], {stdio: 'ignore'})
  return {key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8'), certPath: cert}
}

/** Starts the server (answering `body` as JSON to every request), its files in `dir`. */
export async function startTlsMarathon(dir: string, body = '{"apps": []}'): Promise<TlsMarathon> {
  const tls = selfSigned(dir, 'marathon')
  const wrongCa = selfSigned(dir, 'other').certPath
  const requests: string[] = []
  const server = createServer({key: tls.key, cert: tls.cert}, (req, res) => {
    requests.push(`${req.method} ${req.url}`)
    res.writeHead(200, {'content-type': 'application/json'})
    res.end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    goodCa: tls.certPath,
    wrongCa,
    requests,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
