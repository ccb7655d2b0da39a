/**
 * The Marathon calls zdd makes (spec §8.2), behind a narrow interface so the runner can be tested
 * with a small fake. {@link MarathonZddApi} implements it over the shared Marathon client and
 * maps every failure to zdd's exit-code errors: GET 6, create 7, scale and kill 9, delete 8.
 */
import {AppCreateError, AppDeleteError, AppScaleError, MarathonEndpointError, errorMessage, type ZddError} from '../errors.js'
import {serverMessage} from '../marathon/server-message.js'
import {toZddApp} from './app.js'
import {stripNulls} from './json.js'
import type {JsonObject, ZddApp} from './state.js'

/** What zdd needs from Marathon. */
export interface ZddMarathon {
  /** `GET /v2/apps`. */
  listApps(): Promise<ZddApp[]>
  /** `GET /v2/apps<id>` (with tasks and deployments). */
  getApp(id: string): Promise<ZddApp>
  /** `POST /v2/apps`. */
  createApp(app: JsonObject): Promise<void>
  /** `PUT /v2/apps<id>` with `{"instances": n}`. */
  scaleApp(id: string, instances: number): Promise<void>
  /** `POST /v2/tasks/delete?scale=true` with `{"ids": [...]}`: kill and lower the owner's instances. */
  killTasks(ids: readonly string[]): Promise<void>
  /** `DELETE /v2/apps<id>`. */
  deleteApp(id: string): Promise<void>
}

/** The request method of the shared Marathon client (src/marathon/client.ts). */
export interface MarathonRequester {
  request<T>(method: string, path: string, body?: unknown): Promise<{status: number; body: T; url: string}>
}

type ErrorClass = new (message: string, options?: {cause?: unknown}) => ZddError

function appPath(id: string): string {
  // zdd.py builds "/v2/apps" + id; ids are absolute, but be lenient with a relative one.
  return `/v2/apps${id.startsWith('/') ? id : `/${id}`}`
}

/** {@link ZddMarathon} over the shared client. Errors never carry credentials (the client redacts URLs). */
export class MarathonZddApi implements ZddMarathon {
  constructor(private readonly client: MarathonRequester) {}

  private async call(what: string, Err: ErrorClass, method: string, path: string, body?: unknown): Promise<unknown> {
    let res: {status: number; body: unknown; url: string}
    try {
      res = await this.client.request<unknown>(method, path, body)
    } catch (err) {
      throw new Err(`${what}: ${errorMessage(err)}`, {cause: err})
    }
    if (res.status < 200 || res.status > 299) throw new Err(`${what}: Marathon answered HTTP ${res.status}${serverMessage(res.body)}`)
    return stripNulls(res.body)
  }

  async listApps(): Promise<ZddApp[]> {
    const body = await this.call('Error while listing Marathon apps', MarathonEndpointError, 'GET', '/v2/apps')
    const apps = (body as {apps?: unknown} | undefined)?.apps
    if (!Array.isArray(apps)) throw new MarathonEndpointError('Error while listing Marathon apps: the answer has no "apps" list')
    return apps.map(toZddApp).filter((a): a is ZddApp => a !== undefined)
  }

  async getApp(id: string): Promise<ZddApp> {
    const what = `Error while querying Marathon for app ${id}`
    const body = await this.call(what, MarathonEndpointError, 'GET', appPath(id))
    const app = toZddApp((body as {app?: unknown} | undefined)?.app)
    if (app === undefined) throw new MarathonEndpointError(`${what}: the answer has no "app" object`)
    return app
  }

  async createApp(app: JsonObject): Promise<void> {
    await this.call(`Error while creating the app ${String(app['id'])}`, AppCreateError, 'POST', '/v2/apps', app)
  }

  async scaleApp(id: string, instances: number): Promise<void> {
    await this.call(`Error while scaling the app ${id} to ${instances}`, AppScaleError, 'PUT', appPath(id), {instances})
  }

  async killTasks(ids: readonly string[]): Promise<void> {
    // A scale-down, hence AppScaleError as in zdd.py.
    await this.call(`Error while killing ${ids.length} tasks`, AppScaleError, 'POST', '/v2/tasks/delete?scale=true', {ids})
  }

  async deleteApp(id: string): Promise<void> {
    // zdd.py built this error wrongly and exited 2 (spec §10.37); mlb exits 8.
    await this.call(`Error while deleting the app ${id}`, AppDeleteError, 'DELETE', appPath(id))
  }
}
