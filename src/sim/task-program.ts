/**
 * The program every real task runs: plain CommonJS passed to `node -e`, so it works the same from
 * `src/` (tsx) and from `dist/` and costs one bare Node start per task (no tsx, no imports).
 *
 * Configuration comes in `MLB_SIM_TASK` (JSON: appId, version, taskId, bindings, graceMs). It
 * answers HTTP with a JSON body naming app id, version, task id and port; any non-HTTP bytes on a
 * connection get that JSON as one line (TCP apps). SIGTERM: keep serving `graceMs`, then stop
 * accepting, finish in-flight requests and exit (marathon-api §6 kill). IPC commands: `hang`
 * (stop answering, ignore SIGTERM), `down`/`up` (stop/resume listening), `crash` (exit 70).
 * When the parent goes away the IPC channel closes and the task exits: no orphans.
 */
export const TASK_PROGRAM = String.raw`
'use strict'
const http = require('http')
const cfg = JSON.parse(process.env.MLB_SIM_TASK)
let mode = 'ok'
let stopping = false
let inflight = 0
const servers = []
function identity(b) {
  return {appId: cfg.appId, version: cfg.version, taskId: cfg.taskId, host: b.ip, port: b.port, pid: process.pid}
}
function maybeExit() {
  if (stopping && inflight === 0 && servers.every((s) => !s.listening)) setTimeout(() => process.exit(0), 10)
}
function handler(b) {
  return (req, res) => {
    if (mode === 'hang') return
    inflight++
    const u = new URL(req.url, 'http://task')
    const delay = Math.min(Number(u.searchParams.get('sleep') || 0) || 0, 120000)
    const status = Number(u.searchParams.get('status') || 200) || 200
    req.resume()
    const send = () => {
      const body = JSON.stringify(identity(b))
      const headers = {'content-type': 'application/json', 'content-length': Buffer.byteLength(body)}
      if (stopping) headers.connection = 'close'
      res.writeHead(status, headers)
      res.end(body)
      inflight--
      maybeExit()
    }
    if (delay > 0) setTimeout(send, delay)
    else send()
  }
}
function listen(s, b, first) {
  s.once('error', (err) => {
    if (first && process.send) process.send({error: err.code || String(err), port: b.port})
    process.exit(2)
  })
  s.listen(b.port, b.ip, () => {
    s.removeAllListeners('error')
    s.on('error', () => {})
    if (first && servers.every((x) => x.listening) && process.send) process.send({ready: servers.map((x) => x.address().port)})
  })
}
for (const b of cfg.bindings) {
  const s = http.createServer(handler(b))
  s.keepAliveTimeout = 5000
  s.on('clientError', (err, socket) => {
    // Not HTTP: a TCP client. Answer one identity line and close.
    if (socket.writable && mode !== 'hang') socket.end(JSON.stringify(identity(b)) + '\n')
    else if (mode !== 'hang') socket.destroy()
  })
  servers.push(s)
}
cfg.bindings.forEach((b, i) => listen(servers[i], b, true))
process.on('SIGTERM', () => {
  if (mode === 'hang' || stopping) return
  stopping = true
  setTimeout(() => {
    for (const s of servers) {
      s.close(() => maybeExit())
      s.closeIdleConnections()
    }
    maybeExit()
  }, cfg.graceMs)
})
process.on('message', (m) => {
  if (m === 'hang') mode = 'hang'
  else if (m === 'crash') process.exit(70)
  else if (m === 'down') {
    mode = 'down'
    for (const s of servers) {
      s.close()
      s.closeAllConnections()
    }
  } else if (m === 'up' && mode === 'down') {
    mode = 'ok'
    cfg.bindings.forEach((b, i) => servers[i].listen(b.port, b.ip))
  }
})
process.on('disconnect', () => process.exit(0))
`
