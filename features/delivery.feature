@fullstack @delivery
Feature: Delivering messages
  An application hands its outgoing mail to genro-mail-proxy over HTTP. The proxy
  queues each accepted message and delivers it over SMTP exactly as the application
  described it: sender, recipients, subject, body and headers. The application can
  follow every message through the API until it is sent.

  Every scenario works in a tenant of its own, with an SMTP account that points at
  the mail sink. People named in the steps (alice, bob, billing, ...) get addresses
  that belong to that scenario only.

  A sending limit counts messages per minute of the proxy's own clock. The scenario that
  waits for that limit runs on a proxy whose clock goes ten times faster than ours, so the
  proxy's minute passes in seconds.

  Background:
    Given a tenant with an SMTP account on the mail sink

  @doc-A1 @doc-B1 @doc-J3
  Scenario: One message is delivered with the sender, recipient, subject and body it was given
    When the application submits the message "welcome":
      | from    | Acme Billing <billing>                  |
      | to      | alice                                   |
      | subject | Your invoice is ready                   |
      | body    | Dear Alice, your invoice is ready.      |
    Then the proxy accepts 1 message and rejects none
    And the mail "welcome" is delivered with:
      | from    | Acme Billing <billing>                  |
      | to      | alice                                   |
      | subject | Your invoice is ready                   |
      | body    | Dear Alice, your invoice is ready.      |

  @doc-A1 @doc-F5
  Scenario: A batch of ten messages is delivered in full and every message is sent
    When the application submits a batch of 10 messages
    Then the proxy accepts 10 messages and rejects none
    And every message of the batch is delivered exactly once
    And every message of the batch is "sent"

  @doc-B5
  Scenario: The sender is the envelope sender, unless the message names a return path for its bounces
    When the application submits the message "plain":
      | from | sales |
      | to   | alice |
    And the application submits the message "tracked":
      | from        | sales   |
      | to          | alice   |
      | return path | bounces |
    Then the mail "plain" is delivered with:
      | envelope sender | sales |
    And the mail "tracked" is delivered with:
      | envelope sender | bounces |

  @doc-B3
  Scenario: Copies and replies reach the right people, and blind copies stay blind
    When the application submits the message "minutes":
      | to       | alice    |
      | cc       | carol    |
      | bcc      | bob      |
      | reply-to | secretary |
      | subject  | Minutes of the board meeting |
    Then the mail "minutes" is delivered with:
      | to       | alice     |
      | cc       | carol     |
      | reply-to | secretary |
    And bob receives the mail "minutes" as a blind copy
    And the mail "minutes" as written by the proxy has no "Bcc" header

  @doc-B2
  Scenario: An HTML body is delivered as HTML
    When the application submits the message "newsletter":
      | to           | alice                                   |
      | subject      | November news                           |
      | content type | html                                    |
      | body         | <h1>News</h1><p>All is <b>well</b>.</p> |
    Then the mail "newsletter" is delivered with:
      | content type | text/html                               |
      | html         | <h1>News</h1><p>All is <b>well</b>.</p> |

  @doc-B4
  Scenario: Custom headers and the application's own Message-ID are kept
    When the application submits the message "order":
      | to               | alice                      |
      | subject          | Order 1042 confirmed       |
      | Message-ID       | order-1042                 |
      | header X-Order   | 1042                       |
      | header X-Channel | web-shop                   |
    Then the mail "order" as written by the proxy has the headers:
      | X-Order    | 1042       |
      | X-Channel  | web-shop   |
      | Message-ID | order-1042 |

  @known-defect @no-doc-promise
  Scenario: The delivered mail carries a Date and a Message-ID even when the application gives none
    When the application submits the message "plain":
      | to      | alice              |
      | subject | Reminder           |
    And the application submits the message "memo":
      | to      | alice              |
      | subject | Memo               |
    And the application submits the message "order":
      | to         | alice                |
      | subject    | Order 1042 confirmed |
      | Message-ID | order-1042           |
    Then the mail "plain" as written by the proxy has a "Date" header and a "Message-ID" header
    And the mails "plain" and "memo" as written by the proxy have Message-IDs of their own
    And the mail "order" as written by the proxy has a "Date" header and the Message-ID "order-1042"

  @doc-A12 @doc-C1
  Scenario: The status of a message goes from pending to sent
    Given the proxy holds messages until it is asked to run
    And a tenant with an SMTP account on the mail sink
    When the application submits the message "statement":
      | to      | alice            |
      | subject | Monthly statement |
    Then the message "statement" is "pending" in the message details and in the message list
    When the application asks the proxy to run now
    Then the mail "statement" is delivered
    And the message "statement" becomes "sent" in the message details and in the message list

  @doc-D1
  Scenario: Messages of higher priority are sent first
    Given the proxy holds messages until it is asked to run
    And a tenant with an SMTP account on the mail sink
    And the account sends 1 message per cycle
    When the application submits these messages:
      | message | priority |
      | low     | 3        |
      | medium  | 2        |
      | high    | 1        |
      | now     | 0        |
    And the application asks the proxy to run now
    Then the mails arrive in this order: "now", "high", "medium", "low"

  @doc-C2 @doc-D8
  Scenario: A scheduled message waits for its time
    When the application submits the message "greeting" scheduled 3 seconds from now
    Then the message "greeting" is "deferred" in the message details and in the message list
    And the mail "greeting" is delivered
    And the mail "greeting" was not sent before its scheduled time

  @doc-D10
  Scenario: A suspended batch waits until it is activated
    Given the batch "spring-sale" is suspended
    When the application submits the message "promo" in the batch "spring-sale"
    And the application submits the message "receipt" in the batch "orders"
    Then the mail "receipt" is delivered
    And the mail "promo" is not delivered
    And the message "promo" is "pending" in the message details and in the message list
    When the batch "spring-sale" is activated
    Then the mail "promo" is delivered

  @doc-A6
  Scenario: A message submitted again with the same id is not sent twice
    When the application submits the message "invoice":
      | to      | alice          |
      | subject | Invoice 77     |
    And the mail "invoice" is delivered
    And the application submits the message "invoice" again
    Then the mail "invoice" is delivered only once
    And the message list shows "invoice" once

  @doc-A12
  Scenario: In test mode the proxy delivers only when it is asked to run
    Given the proxy holds messages until it is asked to run
    And a tenant with an SMTP account on the mail sink
    When the application submits the message "drill":
      | to      | alice       |
      | subject | Fire drill  |
    Then the mail "drill" is not delivered
    When the application asks the proxy to run now
    Then the mail "drill" is delivered

  @doc-A2
  Scenario: Messages with missing fields are rejected one by one, the others are queued
    When the application submits these messages:
      | message   | missing  |
      | complete  |          |
      | no-to     | to       |
      | no-from   | from     |
    Then the proxy accepts 1 message
    And the proxy rejects "no-to" because "Missing 'to' field"
    And the proxy rejects "no-from" because "Missing 'from' field"
    And the mail "complete" is delivered

  @known-defect @doc-J18
  Scenario: A tenant that is switched off sends nothing until it is switched on again
    Given the tenant is switched off
    When the application submits the message "newsletter"
    Then the mail "newsletter" is not delivered
    And the message "newsletter" is "pending" in the message details and in the message list
    When the tenant is switched on again
    Then the mail "newsletter" is delivered
    And the mail "newsletter" is delivered only once
    And the message "newsletter" becomes "sent" in the message details and in the message list

  @known-defect @no-doc-promise
  Scenario: A message with a priority below the scale is not left waiting
    When the application submits the message "odd" with the priority -1
    Then the proxy refuses "odd" at once or sends it, and does not leave it waiting

  @known-defect @doc-D3
  Scenario: Priority labels are accepted and order the sending like their numbers
    Given the proxy holds messages until it is asked to run
    And a tenant with an SMTP account on the mail sink
    And the account sends 1 message per cycle
    When the application submits these messages with priority labels:
      | message | priority  |
      | low     | low       |
      | medium  | medium    |
      | high    | high      |
      | now     | immediate |
    And the application asks the proxy to run now
    Then the proxy accepts 4 messages and rejects none
    And the mails arrive in this order: "now", "high", "medium", "low"

  @known-defect @doc-D4
  Scenario: A batch's default priority applies to its messages without one, and a message's own priority wins
    Given the proxy holds messages until it is asked to run
    And a tenant with an SMTP account on the mail sink
    And the account sends 1 message per cycle
    When the application submits these messages in one batch with the default priority "low":
      | message    | priority |
      | newsletter |          |
      | notice     | high     |
    And the application submits the message "receipt"
    And the application asks the proxy to run now
    Then the mails arrive in this order: "notice", "receipt", "newsletter"

  @doc-A8
  Scenario: A held message submitted again with the same id goes out once, with its corrected content
    Given the batch "newsletter" is suspended
    When the application submits the message "issue-12" in the batch "newsletter"
    And the application submits "issue-12" again in the batch "newsletter", with the subject "Issue 12, corrected"
    And the batch "newsletter" is activated
    Then the mail "issue-12" is delivered once, with the subject it was last submitted with
    And the message list shows "issue-12" once

  @doc-D11
  Scenario: Suspending all of a tenant's sending holds every message, in a batch or not, until it is activated again
    Given the batch "spring-sale" is suspended
    And all of the tenant's sending is suspended
    When the application submits the message "invoice"
    And the application submits the message "promo" in the batch "spring-sale"
    Then the mail "invoice" is not delivered
    And the mail "promo" is not delivered
    When all of the tenant's sending is activated again
    Then the mail "invoice" is delivered
    And the mail "promo" is delivered

  @doc-D2
  Scenario: Messages of the same priority leave in the order they were submitted
    Given the proxy holds messages until it is asked to run
    And a tenant with an SMTP account on the mail sink
    And the account sends 1 message per cycle
    When the application submits the messages "breakfast", "lunch" and "dinner", one after the other
    And the application asks the proxy to run now
    Then the mails arrive in this order: "breakfast", "lunch", "dinner"

  @doc-D5
  Scenario: A message without a priority is treated as medium
    Given the proxy holds messages until it is asked to run
    And a tenant with an SMTP account on the mail sink
    And the account sends 1 message per cycle
    When the application submits these messages, with a priority only where one is given:
      | message | priority |
      | digest  | 3        |
      | update  |          |
      | order   | 1        |
    Then the message "update" is listed with the priority 2
    When the application asks the proxy to run now
    Then the mails arrive in this order: "order", "update", "digest"

  @long @fast-clock @own-proxy @doc-D7
  Scenario: An urgent message over the sending limit waits too, and is the first to go when the limit allows
    Given a tenant whose SMTP account on the mail sink may send 1 message a minute
    When the application submits the message "receipt"
    And the mail "receipt" is delivered
    And the application submits these messages, with a priority only where one is given:
      | message | priority |
      | digest  | 3        |
      | alert   | 0        |
    Then the messages "digest" and "alert" are held back, with the sending limit as the reason
    And they wait until the next whole minute of the proxy's clock
    And the mail "alert" is delivered as soon as the limit allows, before "digest"

  @doc-D12
  Scenario: Of two suspended batches, activating one lets only that one go
    Given the batches "spring-sale" and "autumn-sale" are suspended
    And the application submits the message "spring-promo" in the batch "spring-sale"
    And the application submits the message "autumn-promo" in the batch "autumn-sale"
    When the batch "spring-sale" is activated
    Then the answer lists "autumn-sale" as the only batch still suspended
    And the mail "spring-promo" is delivered
    And the mail "autumn-promo" is not delivered

  @doc-D13
  Scenario: A single batch cannot be let go while all of the tenant's sending is suspended
    Given the batch "spring-sale" is suspended
    And all of the tenant's sending is suspended
    And the application submits the message "promo" in the batch "spring-sale"
    And the application submits the message "invoice"
    When the application tries to activate the batch "spring-sale" on its own
    Then the proxy refuses to activate it
    And the mail "promo" is not delivered
    And the mail "invoice" is not delivered

  @known-defect @doc-D14
  Scenario: The answers to suspending and activating a batch say how many of its messages are held back
    Given the proxy holds messages until it is asked to run
    And a tenant with an SMTP account on the mail sink
    And the application submits 2 messages in the batch "newsletter"
    When the batch "newsletter" is suspended
    Then the answer lists "newsletter" as suspended, with 2 messages held back
    When the batch "newsletter" is activated
    Then the answer about "newsletter" lists no batch as suspended, with 0 messages held back

  @known-defect @doc-D6
  Scenario: A proxy's default priority applies to messages without one, after a batch's default and a message's own
    Given a proxy of its own whose default priority is low, holding messages until it is asked to run
    And a tenant with an SMTP account on the mail sink
    And the account sends 1 message per cycle
    When the application submits these messages in one batch with the default priority "1":
      | message | priority |
      | notice  |          |
    And the application submits these messages, with a priority only where one is given:
      | message | priority |
      | digest  |          |
      | receipt | 2        |
    Then the messages "notice", "receipt" and "digest" are listed with the priorities 1, 2 and 3
    When the application asks the proxy to run now
    Then the mails arrive in this order: "notice", "receipt", "digest"

  @doc-C4
  Scenario: The message list can be narrowed to one tenant and to the messages not yet sent
    Given another tenant has delivered a message of its own
    And the message "held" waits in the suspended batch "later"
    And the application submits the message "receipt"
    And the message "receipt" becomes "sent" in the message details and in the message list
    Then the tenant's message list shows exactly "held" and "receipt"
    And the tenant's list of messages not yet sent shows exactly "held"

  @known-defect @doc-C5
  Scenario: The message list shows each message's ids, tenant, account, priority, sending time and content
    When the application submits the message "invoice", noting the time:
      | to       | alice                       |
      | subject  | Invoice 12                  |
      | body     | Please find invoice 12.     |
      | priority | 1                           |
    And the message "invoice" becomes "sent" in the message details and in the message list
    Then the message list shows "invoice" with its ids, tenant name, account, priority, sending time and content

  @doc-A9
  Scenario: Recipients written as one comma-separated text all get the mail, and an empty list is rejected
    When the application submits the message "minutes" to "alice, bob", written as one text
    Then alice and bob each receive the mail "minutes" once
    When the application submits the message "blank" with an empty list of recipients
    Then the proxy queues nothing and rejects "blank", naming the missing recipients

  @known-defect @doc-A5
  Scenario: A message to a malformed address is rejected at once, and the rest of the batch is queued
    When the application submits the message "good" and the message "bad" to the address "alice@@example..test"
    Then the proxy queues 1 message and rejects "bad", naming its address
    And the mail "good" is delivered

  @known-defect @doc-A7
  Scenario: A message submitted again after it was sent is rejected as a duplicate, and not sent twice
    When the application submits the message "invoice"
    And the mail "invoice" is delivered
    And the message "invoice" becomes "sent" in the message details and in the message list
    And the application submits the message "invoice" again
    Then the proxy queues nothing and rejects "invoice" as a duplicate
    And the mail "invoice" is delivered only once

  @known-defect @doc-A10
  Scenario: A message that names no account goes out through the proxy's default SMTP server
    Given a proxy of its own whose default SMTP server is the mail sink
    And a tenant with no SMTP account of its own
    When the application submits the message "notice" without naming an account
    Then the proxy queues "notice", rejecting nothing
    And the mail "notice" is delivered

  @doc-O6
  Scenario: A tenant with several SMTP accounts sends each message through the account it names
    Given the tenant also has the SMTP accounts "newsletters" and "invoices", each on a mail server of its own
    When the application submits the message "news" through the account "newsletters"
    And the application submits the message "bill" through the account "invoices"
    And the application submits the message "digest" through the account "newsletters"
    Then the mail "news" is delivered once, through the account "newsletters" only
    And the mail "bill" is delivered once, through the account "invoices" only
    And the mail "digest" is delivered once, through the account "newsletters" only
