/**
 * The audit log of commands an operator reads and exports (docs/multi_tenancy.rst, "Token
 * Types and Permissions"; docs/appendix_endpoints.rst, "Proxy Endpoints": the command log
 * and its export). The docs name no command format, so a command is found by what its
 * payload names: a message's id, a batch code.
 *
 * Reach it as `world.use(AuditLog.forScenario)`.
 */
import { expect } from 'chai';
import type { CommandLogEntry } from '../clients/proxy-api.js';
import type { GenroWorld } from '../cucumber/world.js';

export class AuditLog {
  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): AuditLog {
    return new AuditLog(world);
  }

  /** The entries in time order (whole seconds, then the order the log gives). */
  private static inOrder(entries: CommandLogEntry[]): CommandLogEntry[] {
    return entries.map((e, i) => ({ e, i })).sort((a, b) => a.e.command_ts - b.e.command_ts || a.i - b.i).map(({ e }) => e);
  }

  private static naming(entries: CommandLogEntry[], text: string): number[] {
    return entries.flatMap((e, i) => (JSON.stringify(e.payload ?? null).includes(text) ? [i] : []));
  }

  /**
   * The tenant's audit log holds exactly one command naming the message's id and exactly one
   * naming the batch code, the submission before the suspension, each for the tenant.
   */
  async assertSubmissionThenSuspension(alias: string, batch: string): Promise<void> {
    const tenantId = this.world.tenantId!;
    const listed = AuditLog.inOrder(await this.world.proxy.commandLog.list(tenantId));
    const shown = JSON.stringify(listed.map((e) => e.endpoint));
    const submission = AuditLog.naming(listed, this.world.messageId(alias));
    const suspension = AuditLog.naming(listed, this.world.batchCode(batch));
    expect({ submission: submission.length, suspension: suspension.length }, `commands in the tenant's audit log naming "${alias}" and "${batch}" (its commands: ${shown})`)
      .to.deep.equal({ submission: 1, suspension: 1 });
    expect(submission[0], `the submission of "${alias}" comes before the suspension of "${batch}" (commands: ${shown})`).to.be.below(suspension[0]!);
    expect([listed[submission[0]!]!.tenant_id, listed[suspension[0]!]!.tenant_id], 'the tenant of each command').to.deep.equal([tenantId, tenantId]);
  }

  /** The export of the tenant's audit log lists the same commands as the log (endpoint, tenant, payload, time), in the same order. */
  async assertExportMatches(): Promise<void> {
    const tenantId = this.world.tenantId!;
    const listed = AuditLog.inOrder(await this.world.proxy.commandLog.list(tenantId));
    const exported = AuditLog.inOrder(await this.world.proxy.commandLog.export(tenantId));
    const essentials = (e: CommandLogEntry) => ({ endpoint: e.endpoint, tenant_id: e.tenant_id, payload: e.payload, command_ts: e.command_ts });
    expect(exported.map(essentials), 'the exported audit log, against the listed one').to.deep.equal(listed.map(essentials));
  }
}
