/**
 * Which task host names need a DNS lookup before generation (spec §5.4): only those of tasks
 * whose app is not in `container` (IP-per-task) mode, and never IPv4 literals. marathon-lb
 * resolves lazily, so an unresolvable agent name of an IP-per-task app never costs a lookup;
 * mlb keeps that. The common case (every host an IP literal) skips the model entirely.
 */
import {isIPv4} from 'node:net'

import {taskHosts} from '../marathon/dns.js'
import {parseMarathonApps} from '../model/apps.js'
import {networkingMode} from '../model/networking.js'

/** Host names in Marathon's `/v2/apps` body that generation will look up. */
export function hostsToResolve(marathon: unknown): Set<string> {
  const names = [...taskHosts(marathon)].filter((h) => !isIPv4(h))
  if (names.length === 0) return new Set()
  const needed = new Set<string>()
  for (const app of parseMarathonApps(marathon).apps) {
    if (networkingMode(app) === 'container') continue
    for (const task of app.tasks) if (task.host !== '' && !isIPv4(task.host)) needed.add(task.host)
  }
  return needed
}
