/**
 * Real HTTP and TCP checks against a task (marathon-api §3 AppHealthCheck): HTTP is healthy on
 * a 2xx/3xx answer within the timeout, TCP when a connection opens within the timeout.
 */
import {request} from 'node:http'
import {connect} from 'node:net'

import type {Probe, ProbeResult} from './runner.js'

const MAX_BODY = 4096

function httpProbe(p: Probe): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const req = request({host: p.ip, port: p.port, path: p.path, method: 'GET', agent: false, timeout: p.timeoutMs, headers: {'user-agent': 'marathon-sim-health'}}, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => {
        if (body.length < MAX_BODY) body += c
      })
      res.on('end', () => {
        const status = res.statusCode ?? 0
        const ok = status >= 200 && status < 400
        const base = {ok, status, contentType: res.headers['content-type'] ?? '', body}
        resolve(ok ? base : {...base, cause: `${status} ${res.statusMessage ?? ''}`.trim()})
      })
      res.on('error', (err) => resolve({ok: false, cause: err.message}))
    })
    req.on('timeout', () => req.destroy(new Error(`timed out after ${p.timeoutMs} ms`)))
    req.on('error', (err) => resolve({ok: false, cause: err.message}))
    req.end()
  })
}

function tcpProbe(p: Probe): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const sock = connect({host: p.ip, port: p.port})
    const timer = setTimeout(() => {
      sock.destroy()
      resolve({ok: false, cause: `timed out after ${p.timeoutMs} ms`})
    }, p.timeoutMs)
    sock.once('connect', () => {
      clearTimeout(timer)
      sock.destroy()
      resolve({ok: true})
    })
    sock.once('error', (err) => {
      clearTimeout(timer)
      resolve({ok: false, cause: err.message})
    })
  })
}

/** Runs one probe for real. Never rejects. */
export function runProbe(p: Probe): Promise<ProbeResult> {
  return p.kind === 'http' ? httpProbe(p) : tcpProbe(p)
}
