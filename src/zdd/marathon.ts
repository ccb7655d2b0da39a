/**
 * The Marathon calls zdd makes (spec §8.2), behind a narrow interface so the runner can be tested
 * with a small fake. {@link MarathonZddApi} implements it over the shared Marathon client and
 * maps every failure to zdd's exit-code errors: GET 6, create 7, scale and kill 9, delete 8.
 * Each call takes the run's AbortSignal: once zdd has been signalled, no call is sent and the one
 * in flight is aborted, and the run stops with 130/143 (InterruptedError), never 6–9.
 */
import {AppCreateError, AppDeleteError, AppScaleError, MarathonEndpointError, errorMessage, type ZddError} from '../errors.js'
import {serverMessage} from '../marathon/server-message.js'
import {toZddApp} from './app.js'
import {stopIfInterrupted} from './errors.js'
import {stripNulls} from './json.js'
import type {JsonObject, ZddApp} from './state.js'

/** What zdd needs from Marathon; `signal` stops a call (see the module comment). */
export interface ZddMarathon {
  /** `GET /v2/apps`. */
  listApps(signal?: AbortSignal): Promise<ZddApp[]>
  /** `GET /v2/apps<id>` (with tasks and deployments). */
  getApp(id: string, signal?: AbortSignal): Promise<ZddApp>
  /** `POST /v2/apps`. */
  createApp(app: JsonObject, signal?: AbortSignal): Promise<void>
  /** `PUT /v2/apps<id>` with `{"instances": n}`. */
  scaleApp(id: string, instances: number, signal?: AbortSignal): Promise<void>
  /** `POST /v2/tasks/delete?scale=true` with `{"ids": [...]}`: kill and lower the owner's instances. */
  killTasks(ids: readonly string[], signal?: AbortSignal): Promise<void>
  /** `DELETE /v2/apps<id>`. */
  deleteApp(id: string, signal?: AbortSignal): Promise<void>
}

/** The request method of the shared Marathon client (src/marathon/client.ts). */
export interface MarathonRequester {
  request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<{status: number; body: T; url: string}>
}

type ErrorClass = new (message: string, options?: {cause?: unknown}) => ZddError

function appPath(id: string): string {
  // zdd.py builds "/v2/apps" + id; ids are absolute, but be lenient with a relative one.
  return `/v2/apps${id.startsWith('/') ? id : `/${id}`}`
}

/** {@link ZddMarathon} over the shared client. Errors never carry credentials (the client redacts URLs). */
export class MarathonZddApi implements ZddMarathon {
  constructor(private readonly client: MarathonRequester) {}

  /** One call; `doing` completes "Error while …" (e.g. "creating the app /x"). */
  private async call(doing: string, Err: ErrorClass, signal: AbortSignal | undefined, method: string, path: string, body?: unknown): Promise<unknown> {
    // The single place every Marathon write passes: after a signal, none is sent.
    stopIfInterrupted(signal, `before ${doing}`)
    let res: {status: number; body: unknown; url: string}
    try {
      res = await this.client.request<unknown>(method, path, body, signal)
    } catch (err) {
      // An aborted write may or may not have reached Marathon; --resume checks which.
      stopIfInterrupted(signal, `while ${doing}`, err)
      throw new Err(`Error while ${doing}: ${errorMessage(err)}`, {cause: err})
    }
    if (res.status < 200 || res.status > 299) throw new Err(`Error while ${doing}: Marathon answered HTTP ${res.status}${serverMessage(res.body)}`)
    return stripNulls(res.body)
  }

  async listApps(signal?: AbortSignal): Promise<ZddApp[]> {
    const body = await this.call('listing Marathon apps', MarathonEndpointError, signal, 'GET', '/v2/apps')
    const apps = (body as {apps?: unknown} | undefined)?.apps
    if (!Array.isArray(apps)) throw new MarathonEndpointError('Error while listing Marathon apps: the answer has no "apps" list')
    return apps.map(toZddApp).filter((a): a is ZddApp => a !== undefined)
  }

  async getApp(id: string, signal?: AbortSignal): Promise<ZddApp> {
    const doing = `querying Marathon for app ${id}`
    const body = await this.call(doing, MarathonEndpointError, signal, 'GET', appPath(id))
    const app = toZddApp((body as {app?: unknown} | undefined)?.app)
    if (app === undefined) throw new MarathonEndpointError(`Error while ${doing}: the answer has no "app" object`)
    return app
  }

  async createApp(app: JsonObject, signal?: AbortSignal): Promise<void> {
    await this.call(`creating the app ${String(app['id'])}`, AppCreateError, signal, 'POST', '/v2/apps', app)
  }

  async scaleApp(id: string, instances: number, signal?: AbortSignal): Promise<void> {
    await this.call(`scaling the app ${id} to ${instances}`, AppScaleError, signal, 'PUT', appPath(id), {instances})
  }

  async killTasks(ids: readonly string[], signal?: AbortSignal): Promise<void> {
    // A scale-down, hence AppScaleError as in zdd.py.
    await this.call(`killing ${ids.length} tasks`, AppScaleError, signal, 'POST', '/v2/tasks/delete?scale=true', {ids})
  }

  async deleteApp(id: string, signal?: AbortSignal): Promise<void> {
    // zdd.py built this error wrongly and exited 2 (spec §10.37); mlb exits 8.
    await this.call(`deleting the app ${id}`, AppDeleteError, signal, 'DELETE', appPath(id))
  }
}
