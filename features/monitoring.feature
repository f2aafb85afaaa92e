@fullstack @monitoring
Feature: Metrics for monitoring
  Operators watch genro-mail-proxy through its Prometheus metrics, which monitoring reads
  without a token. For each SMTP account, counters say how many messages were sent, how
  many failed for good, and how many the account's sending limit held back, so that an
  alert can fire when an account starts failing or hits its provider's limit.

  Every scenario has an account of its own and reads only that account's counters.

  @doc-M1
  Scenario: The metrics count an account's sent messages and its failures
    Given a tenant with an SMTP account on the mail sink
    When the application submits the message "welcome"
    Then the mail "welcome" is delivered
    When the mail sink refuses every sender with code 550
    And the application submits the message "refused"
    Then the message "refused" fails at the first attempt, with an error that mentions "SMTP 550"
    And the metrics count for the account 1 sent and 1 failed

  @doc-M2
  Scenario: The metrics count the messages an account's sending limit held back
    Given a tenant whose SMTP account on the mail sink may send 1 message a minute, and refuses the rest
    When the application submits 3 messages at once
    Then 1 of them is delivered at once
    And the other 2 fail, with the sending limit as the reason
    And the metrics count for the account 1 sent and 2 held back by its sending limit
