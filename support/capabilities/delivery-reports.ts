/**
 * The application's delivery-report endpoint as a tenant sees it: the callback receiver
 * plus the address and credentials given to the tenant (SUT map §4.2).
 */
import { CallbackReceiver } from '../partners/callback-receiver.js';
import { randomSecret } from '../base/secrets.js';
import type { GenroWorld } from '../cucumber/world.js';

/** The path the proxy posts to when a tenant names none (SUT map §4.2). */
export const STANDARD_SYNC_PATH = '/mail-proxy/sync';

export class DeliveryReports {
  readonly receiver: CallbackReceiver;
  bearerToken: string | undefined;
  basic: { user: string; password: string } | undefined;
  ownPath: string | undefined;

  constructor(private readonly world: GenroWorld) {
    this.receiver = world.use(CallbackReceiver.forScenario);
  }

  static forScenario(world: GenroWorld): DeliveryReports {
    return new DeliveryReports(world);
  }

  async tenantWithBearerToken(): Promise<void> {
    const url = await this.receiver.start(this.world.session.endpoints.callbackReceiver);
    this.bearerToken = randomSecret();
    await this.world.createTenant({ client_base_url: url, client_auth: { method: 'bearer', token: this.bearerToken } });
    await this.world.createSinkAccount();
  }

  async tenantWithBasicAuthOnOwnPath(): Promise<void> {
    const url = await this.receiver.start(this.world.session.endpoints.callbackReceiver);
    this.basic = { user: `app-${this.world.sid}`, password: randomSecret() };
    this.ownPath = `/apps/${this.world.sid}/mail-reports`;
    await this.world.createTenant({
      client_base_url: url,
      client_sync_path: this.ownPath,
      client_auth: { method: 'basic', user: this.basic.user, password: this.basic.password },
    });
    await this.world.createSinkAccount();
  }

  /** The values of one field across every report item for `id`. */
  fieldValues(id: string, field: string): string[] {
    return this.receiver.itemsFor(id).map(({ item }) => item).filter((item) => field in item).map((item) => String(item[field]));
  }

  /** Reports can take a delivery plus a report cycle. */
  get timeoutMs(): number {
    return this.world.deliveryTimeoutMs;
  }
}
