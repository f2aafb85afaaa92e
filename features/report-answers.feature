@fullstack @report-answers @network
Feature: The application's answers to delivery reports, and when it is called
  The application answers each delivery report. It can say that some of the reported
  messages could not be processed, or that the whole report was not processed, and the
  proxy then sends those reports again. It can ask for quiet time: the proxy then spares
  it the calls that have nothing to report, but still tells it of new outcomes. And the
  proxy calls every tenant's application from time to time even when there is nothing to
  report, so that no tenant is forgotten.

  In these scenarios the application is a small web server of the suite, which records
  every call and answers as the scenario says.

  Background:
    Given a tenant with an SMTP account on the mail sink

  @known-defect @doc-I9
  Scenario: A report the application says it could not process is sent again, and the others are not repeated
    Given the tenant's delivery reports go to the application, which refuses them for now
    When the application submits these messages:
      | message |
      | first   |
      | second  |
    Then the application has refused the delivery reports of "first" and "second"
    When the application accepts delivery reports again, but answers that it could not process "second"
    And the application asks the proxy to run now
    Then one delivery report tells the application of both "first" and "second"
    When the application asks the proxy to run now
    Then the application is told again of "second", but not of "first"
    When the application asks the proxy to run now
    Then no further delivery report for "second" arrives

  @known-defect @doc-I9
  Scenario: A report the application answers with "not ok" is sent again, then not repeated
    Given the tenant's delivery reports go to the application, with a bearer token
    And the application answers the next delivery report with "not ok"
    When the application submits the message "receipt"
    Then the application receives a delivery report for "receipt"
    When the application asks the proxy to run now
    Then the application receives a delivery report for "receipt" again
    When the application asks the proxy to run now
    Then no further delivery report for "receipt" arrives

  @doc-I13
  Scenario: A tenant in quiet time is still told of a new outcome, but gets no empty calls
    Given the tenant's delivery reports go to the application, with a bearer token
    And the application asks for one hour of quiet time in its answers
    When the application submits the message "first"
    Then the application receives a delivery report for "first"
    And the proxy shows the tenant in quiet time
    When the application submits the message "second"
    Then the application is told once that "second" was sent, with its id and the time it was sent
    And since the report of "first" the proxy made no call to the application without a report in it

  @own-proxy @doc-I16
  Scenario: A tenant with nothing to report is still called, with an empty report, soon after the proxy starts
    Given the tenant's delivery reports go to the application, with a bearer token
    When the proxy restarts
    Then the application receives a call with an empty delivery report
