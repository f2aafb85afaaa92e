/**
 * A mailbox on the stack's IMAP server (Dovecot), reached with imapflow: the bounce or
 * PEC mailbox a scenario hands to the proxy. Any user name logs in with the stack's
 * IMAP password, so each scenario owns its mailboxes (`bounces.<sid>`, `pec.<sid>`).
 *
 *  - `append()` puts a mail in a folder and confirms it: the server's APPENDUID, then a
 *    search by the mail's Message-ID that must find exactly that uid.
 *  - `state()` says where a mail is now and with which flags (read, deleted, moved to
 *    another folder, gone), without changing anything (EXAMINE, flags only).
 */
import { ImapFlow } from 'imapflow';
import type { StackSession } from '../stack/session.js';
import type { GenroWorld } from '../cucumber/world.js';

export interface AppendedMail {
  folder: string;
  uid: number;
  uidValidity: bigint | undefined;
  /** The Message-ID of the appended mail, with its angle brackets. */
  messageId: string;
}

export interface MailState {
  /** Folders the mail is in now (empty: gone from the mailbox). */
  folders: { folder: string; uid: number; flags: string[] }[];
}

export function isSeen(state: MailState): boolean {
  return state.folders.some((f) => f.flags.includes('\\Seen'));
}

export class ImapMailbox {
  constructor(
    private readonly session: StackSession,
    /** The IMAP user (the mailbox's owner). */
    readonly user: string,
  ) {}

  /** The account settings the proxy needs to read this mailbox. */
  get forProxy(): { host: string; port: number; user: string; password: string; ssl: false } {
    const { forProxy, password } = this.session.endpoints.imap;
    return { host: forProxy.host, port: forProxy.port, user: this.user, password, ssl: false };
  }

  private async withClient<T>(work: (client: ImapFlow) => Promise<T>): Promise<T> {
    const { host, port, password } = this.session.endpoints.imap;
    const client = new ImapFlow({ host, port, secure: false, logger: false, auth: { user: this.user, pass: password }, connectionTimeout: 10_000 });
    try {
      await client.connect();
    } catch (error) {
      throw new Error(`cannot log in to the IMAP server at ${host}:${port} as ${this.user}: ${error instanceof Error ? error.message : String(error)}`);
    }
    try {
      return await work(client);
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  /** Appends a raw mail to `folder` (INBOX by default) and confirms it is there. */
  async append(raw: Buffer, messageId: string, folder = 'INBOX'): Promise<AppendedMail> {
    return this.withClient(async (client) => {
      if (folder !== 'INBOX') await client.mailboxCreate(folder).catch(() => undefined);
      const appended = await client.append(folder, raw, [], new Date());
      if (!appended || !appended.uid) throw new Error(`the IMAP server did not confirm the APPEND to ${this.user}/${folder} with a uid`);
      const lock = await client.getMailboxLock(folder, { readOnly: true });
      try {
        const found = await client.search({ header: { 'message-id': messageId } }, { uid: true });
        if (!Array.isArray(found) || !found.includes(appended.uid)) {
          throw new Error(`after the APPEND of ${messageId} to ${this.user}/${folder} (uid ${appended.uid}), a search by Message-ID found ${JSON.stringify(found)}`);
        }
      } finally {
        lock.release();
      }
      return { folder, uid: appended.uid, uidValidity: appended.uidValidity, messageId };
    });
  }

  /** Where the mail with this Message-ID is now, in every folder, with its flags. */
  async state(messageId: string): Promise<MailState> {
    return this.withClient(async (client) => {
      const folders: MailState['folders'] = [];
      for (const box of await client.list()) {
        if (box.flags.has('\\Noselect')) continue;
        const lock = await client.getMailboxLock(box.path, { readOnly: true });
        try {
          const uids = await client.search({ header: { 'message-id': messageId } }, { uid: true });
          for (const uid of Array.isArray(uids) ? uids : []) {
            const message = await client.fetchOne(String(uid), { flags: true }, { uid: true });
            folders.push({ folder: box.path, uid, flags: message ? [...(message.flags ?? [])].sort() : [] });
          }
        } finally {
          lock.release();
        }
      }
      return { folders };
    });
  }

  /** Every mail in every folder: folder, uid, flags, Message-ID and subject (for evidence). */
  async listing(): Promise<string[]> {
    return this.withClient(async (client) => {
      const lines: string[] = [];
      for (const box of await client.list()) {
        if (box.flags.has('\\Noselect')) continue;
        const lock = await client.getMailboxLock(box.path, { readOnly: true });
        try {
          if (!client.mailbox || client.mailbox.exists === 0) continue;
          for await (const m of client.fetch('1:*', { envelope: true, flags: true }, { uid: true })) {
            lines.push(`${box.path} uid ${m.uid} [${[...(m.flags ?? [])].join(' ')}] ${m.envelope?.messageId ?? '(no Message-ID)'} ${m.envelope?.subject ?? ''}`);
          }
        } finally {
          lock.release();
        }
      }
      return lines;
    });
  }

  /** Every Message-ID in a folder, for evidence. */
  async messageIds(folder = 'INBOX'): Promise<string[]> {
    return this.withClient(async (client) => {
      const lock = await client.getMailboxLock(folder, { readOnly: true });
      try {
        const ids: string[] = [];
        for await (const message of client.fetch('1:*', { envelope: true }, { uid: true })) ids.push(message.envelope?.messageId ?? `(uid ${message.uid}, no Message-ID)`);
        return ids;
      } catch {
        return [];
      } finally {
        lock.release();
      }
    });
  }
}

/** The scenario's mailboxes, by role ("bounces", "pec"): one IMAP user each. */
export class ScenarioMailboxes {
  private readonly boxes = new Map<string, ImapMailbox>();

  constructor(private readonly world: GenroWorld) {}

  static forScenario(world: GenroWorld): ScenarioMailboxes {
    return new ScenarioMailboxes(world);
  }

  mailbox(role: string): ImapMailbox {
    let box = this.boxes.get(role);
    if (!box) {
      const created = new ImapMailbox(this.world.session, `${role}.${this.world.sid}`);
      box = created;
      this.boxes.set(role, created);
      this.world.evidence.add(`imap-${role}`, {
        title: `The ${role} mailbox (IMAP user ${created.user}): mails and flags`,
        collect: async () => (await created.listing()).join('\n') || '(empty)',
      });
    }
    return box;
  }
}
