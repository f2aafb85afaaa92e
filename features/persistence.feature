@fullstack @persistence
Feature: Nothing is lost when the proxy restarts
  genro-mail-proxy keeps its queue in its database. Messages waiting to be sent,
  messages scheduled for later, messages waiting for a retry, and delivery reports the
  application has not yet acknowledged are all still there after the proxy restarts,
  and are dealt with after it. The application can also remove a tenant with all it
  owns, and clean up the messages whose outcome it has already received.

  A scenario that restarts the proxy runs on a proxy of its own, with a database of its
  own, so that a restart never touches what another scenario has queued. The proxy of
  the scenario about a retry waits 10 seconds before retrying a delivery. The proxies of
  the scenarios about the retention period keep the messages whose outcome the
  application has received for 5 seconds, instead of the 7 days they keep them by default.

  Background:
    Given a tenant with an SMTP account on the mail sink

  @own-proxy @doc-N1
  Scenario: A message waiting to be sent survives a restart and is delivered after it
    Given the batch "weekly" is suspended
    When the application submits the message "digest" in the batch "weekly"
    Then the message "digest" is "pending" in the message details and in the message list
    When the proxy restarts
    Then the message "digest" is "pending" in the message details and in the message list
    When the batch "weekly" is activated
    Then the mail "digest" is delivered

  @own-proxy @doc-D8
  Scenario: A scheduled message survives a restart and is delivered at its time
    When the application submits the message "greeting" scheduled 8 seconds from now
    Then the message "greeting" is "deferred" in the message details and in the message list
    When the proxy restarts
    Then the restart was over before the message "greeting" was due
    And the message "greeting" is "deferred" in the message details and in the message list
    And the mail "greeting" is delivered
    And the mail "greeting" was not sent before its scheduled time

  @known-defect @own-proxy @retry-delay-10s @doc-N2
  Scenario: A message waiting for a retry survives a restart and is delivered after it
    Given the tenant's SMTP account points at a mail server that is down
    When the application submits the message "reminder":
      | subject | Dentist appointment |
    Then the message "reminder" becomes "deferred" in the message details and in the message list
    When the account is pointed at the mail sink
    And the proxy restarts
    Then the restart was over before the message "reminder" was due
    And the message "reminder" is "deferred" in the message details and in the message list
    And the message "reminder" is delivered at its retry

  @own-proxy @doc-I7 @doc-I10
  Scenario: A delivery report the application has not acknowledged survives a restart
    Given the tenant's delivery reports go to the application
    And the application refuses delivery reports for now
    When the application submits the message "invoice":
      | subject | Invoice 311 |
    Then the mail "invoice" is delivered
    And the application has refused a delivery report for "invoice"
    When the application accepts delivery reports again
    And the proxy restarts
    Then the application has accepted a delivery report for "invoice", from the restarted proxy
    And the proxy records the delivery report for "invoice" as acknowledged

  @doc-J16
  Scenario: Deleting a tenant removes its accounts and its messages
    When the application submits the message "farewell" scheduled 3 seconds from now
    And the application deletes the tenant
    Then the tenant has no accounts and no messages left
    And the mail "farewell" is not delivered, not even after its scheduled time

  @known-defect @doc-J17
  Scenario: Deleting a tenant also removes its storages
    Given the tenant has a storage "HOME" on the local disk
    And the application submits the message "farewell" scheduled 3 seconds from now
    When the application deletes the tenant
    Then the tenant has no accounts and no messages left
    And the tenant has no storages left

  @doc-C8 @doc-I7
  Scenario: Cleaning up removes the messages whose outcome the application has received, and only those
    Given the tenant's delivery reports go to the application
    And the message "receipt" was sent, and the application acknowledged its delivery report
    And the message "held" waits in the suspended batch "later"
    And the message "unheard" was delivered, but the application refused its delivery report
    When the application cleans up the messages reported more than a day ago
    Then the cleanup removed 0 messages
    When the application cleans up every message already reported
    Then the cleanup removed 1 message
    And the message list no longer shows "receipt"
    And the message list still shows "held" and "unheard"

  @known-defect @own-proxy @report-retention-5s @doc-C9
  Scenario: A clean-up that gives no age removes what was reported longer ago than the retention period
    Given the tenant's delivery reports go to the application
    And the message "receipt" was sent, and the application acknowledged its delivery report
    When the application cleans up without giving an age
    Then the cleanup removed 0 messages
    When the retention period has passed since the application acknowledged the report
    And the application cleans up without giving an age
    Then the cleanup removed 1 message
    And the message list no longer shows "receipt"

  @own-proxy @report-retention-5s @doc-C10
  Scenario: The proxy removes by itself the messages reported longer ago than the retention period
    Given the tenant's delivery reports go to the application
    And the message "receipt" was sent, and the application acknowledged its delivery report
    And the message "held" waits in the suspended batch "later"
    When the application asks the proxy to run now
    Then the proxy keeps "receipt" in the message list
    When the retention period has passed since the application acknowledged the report
    And the application asks the proxy to run now
    Then the proxy removes "receipt" from the message list by itself
    And the proxy keeps "held" in the message list
