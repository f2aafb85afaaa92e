@fullstack @callbacks @network
Feature: Delivery reports to the application
  The proxy tells the application what became of each message: it POSTs delivery
  reports to the callback address of the message's tenant (its base URL plus a sync
  path, by default the proxy's standard one), authenticated as the tenant asks. Every
  report item names the message by the application's own id. A report the application
  does not accept is sent again; an accepted one is not repeated. An application can
  ask for quiet time.

  In these scenarios the application is a small web server of the suite, which
  records every report and answers as the scenario says.

  Background:
    Given a tenant with an SMTP account on the mail sink

  @doc-I1
  Scenario: A sent message is reported at the standard sync path with the tenant's bearer token
    Given the tenant's delivery reports go to the application, with a bearer token
    When the application submits the message "welcome"
    Then the application receives a delivery report for "welcome"
    And the report for "welcome" came to the standard sync path with the tenant's bearer token

  @doc-I2
  Scenario: Reports go to the tenant's own sync path with basic authentication
    Given the tenant's delivery reports go to the application, on its own path with basic authentication
    When the application submits the message "welcome"
    Then the application receives a delivery report for "welcome"
    And the report for "welcome" came to the tenant's own path with its basic credentials

  @doc-I3
  Scenario: A sent message is reported with its id and the time it was sent, and nothing else
    Given the tenant's delivery reports go to the application, with a bearer token
    When the application submits the message "invoice"
    Then the report for "invoice" says it was sent, with its id and the time it was sent, and nothing else
    And the time in the report for "invoice" is the time it was sent

  @doc-I4
  Scenario: A failed message is reported with its error
    Given the tenant's delivery reports go to the application, with a bearer token
    And the tenant's SMTP account points at a mail server that refuses every message with code 554
    When the application submits the message "contract"
    Then the report for "contract" says it failed, with its id, the time it failed and the error, and nothing else
    And the error in the report for "contract" mentions "SMTP 554"

  @doc-I5
  Scenario: A deferred message is reported with the reason
    Given the tenant's delivery reports go to the application, with a bearer token
    And the mail sink refuses every sender with code 451
    When the application submits the message "later"
    Then the report for "later" says it was deferred, with its id, the time it was deferred and the reason, and nothing else
    And the reason in the report for "later" mentions "SMTP 451"

  @doc-I6
  Scenario: A report the application could not take is sent again, then acknowledged and not repeated
    Given the tenant's delivery reports go to the application, with a bearer token
    And the application refuses the next delivery report
    When the application submits the message "receipt"
    Then the application receives a delivery report for "receipt"
    When the application asks the proxy to run now
    Then the application receives a delivery report for "receipt" again
    When the application asks the proxy to run now
    Then no further delivery report for "receipt" arrives

  @doc-I8
  Scenario: A plain-text answer with success status acknowledges the report
    Given the tenant's delivery reports go to the application, with a bearer token
    And the application answers delivery reports with a plain-text OK
    When the application submits the message "notice"
    Then the application receives a delivery report for "notice"
    When the application asks the proxy to run now
    Then no further delivery report for "notice" arrives

  @doc-I12 @doc-I14 @doc-I15
  Scenario: A tenant in quiet time is left alone until it asks the proxy to run now with its own key
    Given the tenant's delivery reports go to the application, with a bearer token
    And the application asks for one hour of quiet time in its answers
    When the application submits the message "first"
    Then the application receives a delivery report for "first"
    And the proxy shows the tenant in quiet time
    When the application asks the proxy to run now, with the operator's token
    Then the proxy makes no call to the application, which is in quiet time with nothing new to report
    When the tenant asks the proxy to run now, with its own key
    Then the proxy calls the application at once, though it asked for quiet time

  @doc-I18
  Scenario: A tenant without a callback address gets no call, and its outcomes stay unreported
    When the application submits the message "silent"
    Then the mail "silent" is delivered
    And the outcome of "silent" stays unreported

  @doc-I10
  Scenario: A report still pending when the proxy restarts is delivered after the restart
    Given the tenant's delivery reports go to the application, with a bearer token
    And the application refuses delivery reports for now
    When the application submits the message "survivor"
    Then the application receives a delivery report for "survivor"
    When the proxy is stopped
    And the application accepts delivery reports again
    And the proxy starts again
    Then the application receives a delivery report for "survivor" again, after the proxy started

  @doc-I19
  Scenario: Each tenant's application hears only about its own messages
    Given the tenants "acme" and "beta", each with an SMTP account and an application that receives its delivery reports
    When acme submits the message "invoice" and beta submits the message "payroll"
    Then acme's application receives a delivery report for "invoice" and none for "payroll"
    And beta's application receives a delivery report for "payroll" and none for "invoice"

  @known-defect @doc-I11
  Scenario: An application that answers it has messages waiting is called again at once
    Given the tenant's delivery reports go to the application
    And the application answers the next delivery report that 3 messages wait to be sent, and the next call that 1 waits
    When the application submits the message "first"
    Then the application receives a delivery report for "first"
    And the proxy calls the application again at once, twice, with nothing new to report, and then waits for its next sync
    And the application is told once that "first" was sent, with its id and the time it was sent
