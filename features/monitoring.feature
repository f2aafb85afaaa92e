@fullstack @monitoring
Feature: Metrics for monitoring
  Operators watch genro-mail-proxy through its Prometheus metrics, which monitoring reads
  without a token. For each SMTP account, counters say how many messages were sent, how
  many failed for good, and how many the account's sending limit held back, so that an
  alert can fire when an account starts failing or hits its provider's limit.

  A gauge shows how many messages wait in the queue, and an authenticated status tells
  whether sending is active, how many messages wait and how long the proxy has run. The
  proxy logs its key events with their time and level: sends as information, permanent
  refusals as errors. The operator reads, and exports, the audit log of the commands each
  tenant gave.

  Every scenario has an account of its own and reads only that account's counters. A
  scenario that reads the queue gauge or the status runs on a proxy of its own, whose
  queue holds only its messages; the proxy of the scenario about a deferral waits 10
  seconds before it retries.

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

  @own-proxy @retry-delay-10s @doc-M3
  Scenario: The metrics count an account's messages deferred by a temporary refusal
    Given a tenant with an SMTP account on the mail sink
    And the mail sink refuses every sender with code 451
    When the application submits the message "greylisted"
    Then the history of "greylisted" shows a deferral with retry count 1 and a reason that mentions "SMTP 451"
    And the metrics count for the account 1 deferred, 0 sent and 0 failed

  @own-proxy @doc-M4
  Scenario: The metrics show how many messages wait to be sent
    Given a tenant with an SMTP account on the mail sink
    And the batch "newsletter" is suspended
    When the application submits 3 messages in the batch "newsletter"
    Then the metrics show 3 messages waiting
    When the batch "newsletter" is activated
    Then every message of the batch is delivered exactly once
    And the metrics show 0 messages waiting

  @own-proxy @known-defect @doc-M5
  Scenario: The status tells the operator whether sending is active, how many messages wait and how long the proxy has run
    Given a tenant with an SMTP account on the mail sink
    And the batch "newsletter" is suspended
    And the application submits 2 messages in the batch "newsletter"
    Then the status, asked for with the token, says sending is active, 2 messages wait, and how long the proxy has run

  @known-defect @doc-M6
  Scenario: The proxy logs a sent message as information and a permanent refusal as an error
    Given a tenant with an SMTP account on the mail sink
    When the application submits the message "welcome"
    Then the mail "welcome" is delivered
    When the mail sink refuses every sender with code 550
    And the application submits the message "refused"
    Then the message "refused" fails at the first attempt, with an error that mentions "SMTP 550"
    And the proxy's log says, with the time, that "welcome" was sent as INFO, and gives the error 550 of "refused" as ERROR

  @known-defect @doc-J24
  Scenario: The operator finds a tenant's commands in the audit log, and can export them
    Given a tenant with an SMTP account on the mail sink
    When the application submits the message "invoice"
    And the batch "spring-sale" is suspended
    Then the tenant's audit log lists the submission of "invoice", then the suspension of "spring-sale"
    And its export lists the same commands
