/**
 * On failure, attaches what the scenario's IMAP mailboxes, report receiver and attachment
 * file server saw (support/evidence/registry.ts), with the stack's secrets redacted; then runs
 * their clean-ups, failed or not.
 */
import { After, Status } from '@cucumber/cucumber';
import { collectEvidence, runEvidenceCleanups } from './registry.js';
import { redactText } from '../base/redact.js';
import type { GenroWorld } from '../cucumber/world.js';

After({ timeout: 30_000 }, async function (this: GenroWorld, { result }) {
  try {
    if (result && result.status !== Status.PASSED) {
      const e = this.session.endpoints;
      const secrets = [e.proxy.token, e.imap.password, e.s3.secretAccessKey];
      for (const { title, body } of await collectEvidence(this)) {
        this.attach(redactText(`${title}\n\n${body}`, secrets), 'text/plain');
      }
    }
  } finally {
    runEvidenceCleanups(this);
  }
});
