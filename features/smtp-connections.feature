@fullstack @smtp-connections
Feature: SMTP connections to the mail server
  genro-mail-proxy keeps its SMTP connections open and uses them again. Messages an
  account sends close together (the docs keep a connection for five minutes) go out over
  the connection the account already has, logged in once, rather than over a new
  connection with a new login for every message. Each account has connections of its
  own, logged in with its own user.

  An account also bounds how many of its messages the proxy sends in one cycle, its
  batch size: with a batch size of 2, no more than 2 of its messages are on their way to
  the mail server at the same time.

  The operator of the mail server sees all of this. Each scenario's accounts deliver to
  a mail server of the suite that records every connection: who logged in on it, and
  which mails it carried. Like a server that scans its mail, it takes a moment over each
  mail, so that mails sent at the same time overlap visibly.

  @doc-O7
  Scenario: Messages an account sends close together share one connection, and another account has its own
    Given a tenant with the SMTP accounts "orders" and "alerts" on a mail server that watches its connections
    When the account "orders" sends 3 messages, one after another
    And the account "alerts" sends 2 messages, one after another
    And the account "orders" sends nothing for 3 seconds
    And the account "orders" sends 1 more message
    Then the mail server takes each of the 6 mails once
    And the mail server saw exactly these connections:
      | logged in as | mails |
      | orders       | 4     |
      | alerts       | 2     |

  @doc-O7 @doc-O8
  Scenario: An account that sends 2 messages per cycle has no more than 2 of them on the way at once
    Given a tenant with the SMTP account "news" on a mail server that watches its connections
    And the account "news" sends 2 messages per cycle
    And the batch "spring" is suspended
    When the account "news" submits 6 messages at once in the batch "spring"
    And the batch "spring" is activated
    Then the mail server takes each of the 6 mails once
    And never more than 2 mails of "news" were on the way at the same time
    And the mail server saw no more than 2 connections, each logged in once as "news"
