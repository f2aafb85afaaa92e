@fullstack @global-reports @network
Feature: Delivery reports of tenants without an address of their own
  A tenant need not have a callback address of its own. The operator can give the proxy a
  global address for delivery reports, with credentials of its own, through the settings
  the docs name (the global address, and a token or a user and password); the reports of
  every tenant without an address then go there.

  The scenario starts a proxy of its own with those settings. The application is a small
  web server of the suite, which records every call.

  @known-defect @doc-I17
  Scenario: A tenant without a callback address of its own reports through the global address, with the operator's token
    Given a proxy whose global delivery report address is the application's, with a token of the operator's
    And a tenant with an SMTP account on the mail sink
    When the application submits the message "notice"
    Then the application is told once that "notice" was sent, with its id and the time it was sent
    And the report for "notice" came to the global address with the operator's token
