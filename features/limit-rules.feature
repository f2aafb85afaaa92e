@fullstack @limit-rules
Feature: Sending limits by the hour, by the day and for a whole tenant
  Besides a limit a minute, an SMTP account can have a limit an hour and a limit a day, as
  mail providers set them, and a tenant can have hourly and daily limits of its own over
  all its accounts. A message over a limit is held back, not refused, and the message
  shows when it is due: at the start of the next minute, the next hour, or the next day
  (midnight UTC). Every attempt counts against the limit, also one that failed.

  The scenarios read when a held message is due instead of waiting an hour or a day for
  it. Every scenario has a tenant and accounts of its own.

  @doc-F2 @doc-F3
  Scenario: A message over a minute, hour or day limit is held until the start of the next minute, hour or day
    Given a tenant whose SMTP accounts on the mail sink may send:
      | account | limit      |
      | quick   | 1 a minute |
      | hourly  | 1 an hour  |
      | daily   | 1 a day    |
    When the application submits 2 messages at once through each account
    Then through each account 1 message is delivered at once
    And the other message of each account is held back, with the sending limit as the reason, until:
      | account | due                   |
      | quick   | the next whole minute |
      | hourly  | the next whole hour   |
      | daily   | the next midnight UTC |

  @known-defect @doc-F9
  Scenario: A tenant's own hourly limit holds back its messages, whichever account they go through
    Given a tenant that may send 1 message an hour in all, through two SMTP accounts without limits of their own
    When the application submits one message through each account at once
    Then 1 of them is delivered at once
    And the other is held back, with the sending limit as the reason, and is not delivered

  @known-defect @doc-F10
  Scenario: A failed attempt uses up the account's sending limit like a sent message
    Given a tenant whose SMTP account on the mail sink may send 1 message a minute, and refuses the rest
    And the mail sink refuses every sender with code 451
    When the application submits the message "first"
    Then the history of "first" shows a deferral with retry count 1 and a reason that mentions "SMTP 451"
    When the mail sink accepts mail again
    And the application submits the message "second"
    Then the message "second" fails, with the sending limit as the reason
