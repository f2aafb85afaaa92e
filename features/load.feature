@fullstack @load
Feature: Sustained load
  An application may hand the proxy thousands of messages at once. Every one must be
  delivered, none lost and none twice, and the proxy must keep its pace. The run's
  throughput and the time to the last delivery are measured and written to the reports.

  This feature is not part of the default run: select it with the load profile. The
  number of messages (2000) and the deadline (120 seconds) are settings of the run, which
  a run may change. The run has a proxy of its own.

  @known-defect @own-proxy @doc-N6
  Scenario: Two thousand messages submitted in batches are all delivered once, within the deadline
    Given a tenant with an SMTP account on the mail sink
    When the application submits the load in batches
    Then every load message reaches the mail sink before the deadline
    And no load message is lost or delivered twice
    And every load message is sent in the message list
