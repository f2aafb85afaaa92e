/** The input for an SMTP account on the stack's mail sink (without TLS), for calls that add it themselves. */
import type { AccountInput } from '../clients/proxy-api.js';
import type { GenroWorld } from '../cucumber/world.js';

export function sinkAccountInput(world: GenroWorld, id: string, tenantId: string | undefined): AccountInput {
  if (!tenantId) throw new Error('create a tenant before its account');
  const sink = world.session.endpoints.mailpit.smtpForProxy;
  return { id, tenant_id: tenantId, host: sink.host, port: sink.port, use_tls: false };
}
