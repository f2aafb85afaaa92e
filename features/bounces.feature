@fullstack @bounces
Feature: Bounces read from the bounce mailbox
  When a receiving mail server cannot deliver a message, a bounce comes back: a
  delivery status notification (RFC 3464) or, from older servers, a plain-text notice.
  genro-mail-proxy reads a bounce mailbox over IMAP, matches each bounce to the message
  it sent, records the bounce on that message (hard or soft, with the status code and
  the remote server's reply) and tells the application through its delivery reports.

  Every scenario has a bounce mailbox of its own on the stack's IMAP server, and tells
  the proxy to read it through the API, checking it often (every second by default). A bounce names the
  message it is about by the message's Message-ID and, when the proxy set one, by its
  tracking header. Messages in these scenarios carry the application's own Message-ID.

  Background:
    Given a tenant with an SMTP account on the mail sink
    And the proxy reads bounces from the scenario's bounce mailbox

  @doc-K1
  Scenario: The bounce mailbox settings are stored and read back without the password
    Then the bounce settings read back as configured, without the password

  @known-defect @doc-K2
  Scenario: The proxy collects the bounces that arrive in the bounce mailbox
    Given the message "invoice" to unknown-user was delivered
    When a hard bounce for "invoice" arrives in the bounce mailbox
    Then the proxy reads "invoice" from the bounce mailbox
    And "invoice" stays in the inbox of the bounce mailbox, not deleted

  @known-defect @doc-K3
  Scenario: A hard bounce marks the message as bounced hard, with the status code and the server's reply
    Given the message "invoice" to unknown-user was delivered
    When a hard bounce for "invoice" arrives in the bounce mailbox
    Then the message "invoice" is recorded as a hard bounce with the code "511" and the remote server's reply

  @known-defect @doc-K7
  Scenario: A recorded bounce names the recipient that bounced and the remote mail server
    Given the message "invoice" to unknown-user was delivered
    When a hard bounce for "invoice" arrives in the bounce mailbox
    Then the bounce recorded on "invoice" names the recipient that bounced and the remote mail server that refused it

  @known-defect @doc-K4
  Scenario: A delivery delayed by a full mailbox is recorded as a soft bounce
    Given the message "reminder" to full-mailbox was delivered
    When a soft bounce for "reminder" arrives in the bounce mailbox
    Then the message "reminder" is recorded as a soft bounce with the code "422" and the remote server's reply

  @known-defect @doc-K3
  Scenario: A mailbox over its quota for good is recorded as a hard bounce
    Given the message "statement" to over-quota was delivered
    When a quota bounce for "statement" arrives in the bounce mailbox
    Then the message "statement" is recorded as a hard bounce with the code "522" and the remote server's reply

  @known-defect @no-doc-promise
  Scenario: A plain-text bounce without a delivery status part is recognised
    Given the message "receipt" to no-such-user was delivered
    When a plain-text bounce for "receipt" arrives in the bounce mailbox
    Then the message "receipt" is recorded as a hard bounce with the code "550" and the remote server's reply

  @known-defect @network @doc-K6
  Scenario: The application is told about a bounce in its delivery reports
    Given the tenant's delivery reports go to the application
    And the message "invoice" to unknown-user was delivered
    When a hard bounce for "invoice" arrives in the bounce mailbox
    Then the application receives a hard bounce report for "invoice" with the code "511" and the remote server's reply

  @known-defect @no-doc-promise
  Scenario: A mail in the bounce mailbox that is no bounce is read and ignored
    Given the message "newsletter" to alice was delivered
    When an out-of-office reply to "newsletter" arrives in the bounce mailbox
    Then the proxy reads "the out-of-office reply" from the bounce mailbox
    And the message "newsletter" has no bounce

  @known-defect @no-doc-promise
  Scenario: A bounce for a message the proxy never sent is read and does no harm
    Given the message "invoice" to alice was delivered
    When a hard bounce for a message the proxy never sent arrives in the bounce mailbox
    Then the proxy reads "the bounce for the unknown message" from the bounce mailbox
    And the message "invoice" has no bounce
    When the application submits the message "follow-up":
      | to      | alice             |
      | subject | Follow-up         |
    Then the mail "follow-up" is delivered
    When a hard bounce for "invoice" arrives in the bounce mailbox
    Then the message "invoice" is recorded as a hard bounce with the code "511" and the remote server's reply

  @known-defect @csv @doc-K3
  Scenario: Every bounce case of the CSV file is recorded as the bounce its row names
    Given the bounce cases in "bounce-scenarios.csv"
    When the application submits every bounce case with its own Message-ID
    Then every case reaches its expected status
    When the bounce each case names arrives in the bounce mailbox
    Then every case is recorded as the bounce its row names

  @known-defect @doc-K5
  Scenario: A bounced message shows as bounced, with the bounce type, the reason and when it came
    Given the message "invoice" to unknown-user was delivered
    When a hard bounce for "invoice" arrives in the bounce mailbox
    Then the message "invoice" shows as "bounced" in the message details and in the message list
    And the message details of "invoice" show a hard bounce, the remote server's reply and when the bounce came

  @known-defect @doc-B6
  Scenario: Every delivered mail carries the proxy's tracking mark, which names its message
    When the application submits the message "order"
    Then the mail "order" carries the proxy's tracking mark, naming the message by the application's id
