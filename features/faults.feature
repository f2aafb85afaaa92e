@fullstack @faults
Feature: Delivery faults and retries
  Mail servers refuse mail, fail for a while, or are down. The proxy must tell a
  permanent refusal from a temporary failure. A permanent refusal ends the message at
  once, with an error that carries the server's answer. A temporary failure is retried
  after the configured delay until the message goes through. The application can
  follow every attempt through the API.

  Faults are injected with real tools: Mailpit's chaos triggers (refusals when the
  sender is announced), Mailpit's list of allowed recipients (unknown recipients are
  refused), an SMTP server of the suite that refuses the message once it has received
  it, and mail servers that are down.

  The scenario that watches the wait before a retry runs on a proxy of its own, which
  waits 10 seconds before it tries a message again. The scenario about the retry settings
  the release ships with waits for the proxy's own minute: its proxy's clock goes ten
  times faster than ours, so that minute passes in seconds, and the retry times the proxy
  reports are read on its clock.

  @doc-E1
  Scenario: A message the server refuses after receiving it fails at once, with the server's code
    Given a tenant whose SMTP account points at a mail server that refuses every message with code 554
    When the application submits the message "contract"
    Then the message "contract" fails at the first attempt, with an error that mentions "SMTP 554"
    And the mail server saw exactly 1 delivery attempt for "contract"

  @doc-E1
  Scenario: A sender the server refuses for good fails at once, with the server's code
    Given a tenant with an SMTP account on the mail sink
    And the mail sink refuses every sender with code 550
    When the application submits the message "newsletter"
    Then the message "newsletter" fails at the first attempt, with an error that mentions "SMTP 550"

  @doc-C6 @doc-E2
  Scenario: The retry count and the reason for a deferral are visible through the API
    Given a tenant with an SMTP account on the mail sink
    And the mail sink refuses every sender with code 451
    When the application submits the message "statement"
    Then the history of "statement" shows a deferral with retry count 1 and a reason that mentions "SMTP 451"

  @known-defect @own-proxy @retry-delay-5s @doc-E4
  Scenario: A temporary refusal is retried after the configured delay, and the message is then delivered
    Given a tenant with an SMTP account on the mail sink
    And the mail sink refuses every sender with code 451
    When the application submits the message "greylisted"
    Then the history of "greylisted" shows a deferral with retry count 1 and a reason that mentions "SMTP 451"
    And the history of "greylisted" shows a deferral with retry count 2 and a reason that mentions "SMTP 451"
    When the mail sink accepts mail again
    Then the mail "greylisted" is delivered after the retry delay, each earlier attempt deferred for "SMTP 451"

  @known-defect @network @doc-E9
  Scenario: A recipient the server does not know is a permanent error
    Given a tenant whose SMTP account points at a mail server that refuses unknown recipients
    And the mail server does not know "ghost"
    And the tenant's delivery reports go to the application, with a bearer token
    When the application submits the message "lost" to "ghost"
    Then the message "lost" fails at the first attempt, with an error that mentions "550"
    And the error of "lost" gives the server's reply for "ghost"
    And the message details and the message list give "lost" the same error, with its time
    And the application is told once that "lost" failed, with the error and the time the message list gives

  @known-defect @no-doc-promise
  Scenario: When some recipients are refused, the others get the mail and the refusals are visible
    Given a tenant whose SMTP account points at a mail server that refuses unknown recipients
    And the mail server does not know "ghost"
    When the application submits the message "party" to "alice, ghost"
    Then alice receives the mail "party"
    And the mail "party" is delivered only once
    And the message "party" becomes "sent" in the message details and in the message list
    And the history of "party" shows that "ghost" was refused

  @known-defect @own-proxy @retry-delay-5s @doc-E5
  Scenario: While the mail server is down messages wait, and they are delivered once it is back
    Given a tenant whose SMTP account points at a mail server that is down
    When the application submits the message "report"
    Then the history of "report" shows a deferral with retry count 1 and a reason that mentions "connecting"
    And the message "report" becomes "deferred" in the message details and in the message list
    When the mail server comes back
    Then the mail "report" is delivered after the retry delay, each earlier attempt deferred for "connecting"

  @known-defect @doc-A4
  Scenario: A message for an account that does not exist is rejected when it is submitted
    Given a tenant with an SMTP account on the mail sink
    When the application submits the message "orphan" through the account "no-such-account"
    Then the proxy rejects "orphan" because its account is unknown

  @known-defect @network @doc-E11
  Scenario: An account that asks for TLS from a server that offers none gets a clear error
    Given a tenant whose SMTP account asks for TLS from a mail server that offers none
    And the tenant's delivery reports go to the application, with a bearer token
    When the application submits the message "secret"
    Then the message "secret" ends in error, with an error that mentions "STARTTLS"
    And "secret" fails at once, or after every retry, with the server's refusal to start TLS as its error
    And the mail "secret" is not delivered
    And the message details and the message list give "secret" the same error, with its time
    And the application is told once that "secret" failed, with the error and the time the message list gives

  @known-defect @doc-C3
  Scenario: The message details show that a message failed
    Given a tenant whose SMTP account points at a mail server that refuses every message with code 554
    When the application submits the message "rejected"
    Then the message "rejected" becomes "error" in the message details and in the message list
    And the message "rejected" fails at the first attempt, with an error that mentions "SMTP 554"
    And the message details and the message list give "rejected" the same error, with its time

  @own-proxy @retry-delay-10s @doc-E3
  Scenario: A temporarily refused message waits for the retry delay before it is tried again
    Given a tenant whose SMTP account points at a mail server that refuses every message with code 450
    When the application submits the message "statement"
    Then the message "statement" is deferred, its retry due 10 seconds after the refused attempt
    And until its retry is due, "statement" stays deferred and the mail server sees no second attempt

  @known-defect @network @doc-E7
  Scenario: A server that keeps refusing for now makes the message fail after the last retry, and the application is told why
    Given a tenant whose SMTP account points at a mail server that refuses every message with code 452
    And the tenant's delivery reports go to the application
    When the application submits the message "stubborn"
    Then "stubborn" is deferred at each refusal until the retries run out, then ends in error with the server's "452"
    And the application receives a report that "stubborn" failed, with an error that mentions "452"

  @network @doc-E10
  Scenario: A mail server that refuses the account's login makes the message fail, with the server's answer
    Given a tenant whose SMTP account logs in to a mail server that refuses its password
    When the application submits the message "payroll"
    Then the message "payroll" fails at the first attempt, with an error that mentions "535"
    And the mail server refused the account's login in exactly 1 connection and took no mail

  @known-defect @long @fast-clock @doc-E6
  Scenario: With the settings the release ships with, a refused message is tried again after one minute, then after five
    Given a proxy with the retry settings the release ships with
    And a tenant whose SMTP account points at a mail server that refuses every message with code 451
    When the application submits the message "statement"
    Then "statement" is deferred at its first attempt, its retry due 1 minute later
    And at its retry "statement" is deferred again, its next retry due 5 minutes later
