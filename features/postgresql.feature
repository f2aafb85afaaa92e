@fullstack @db
Feature: Running on PostgreSQL
  genro-mail-proxy can keep its queue in PostgreSQL instead of a SQLite file. It creates
  its tables itself when it starts on an empty database, and then behaves as it does on
  SQLite: it delivers, keeps its queue across a restart, accepts any time the
  application schedules a message for, and deletes a tenant with everything it owns.

  Every scenario here starts a proxy of its own, on a fresh PostgreSQL database made for
  that scenario. PostgreSQL itself is started only when one of these scenarios runs.
  Because of the start-up defect the first scenario shows, the other scenarios start
  their proxy on a database whose tables the suite created beforehand, in dependency order.

  @known-defect @doc-N4
  Scenario: A proxy starts on an empty PostgreSQL database
    Given an empty PostgreSQL database
    When a proxy is started on that database
    Then the proxy is ready and answers its health check
    Given a tenant with an SMTP account on the mail sink
    When the application submits the message "welcome"
    Then the mail "welcome" is delivered
    And the message "welcome" becomes "sent" in the message details and in the message list

  @own-proxy-on-postgresql @doc-N3
  Scenario: A proxy on PostgreSQL delivers messages
    Given a tenant with an SMTP account on the mail sink
    When the application submits the message "welcome":
      | from    | Acme Billing <billing>             |
      | to      | alice                              |
      | subject | Welcome on board                   |
      | body    | Dear Alice, welcome on board.      |
    Then the mail "welcome" is delivered with:
      | from    | Acme Billing <billing>             |
      | to      | alice                              |
      | subject | Welcome on board                   |
      | body    | Dear Alice, welcome on board.      |
    And the message "welcome" becomes "sent" in the message details and in the message list

  @own-proxy-on-postgresql @doc-N1
  Scenario: A proxy on PostgreSQL keeps its queue across a restart
    Given a tenant with an SMTP account on the mail sink
    And the message "digest" waits in the suspended batch "weekly"
    When the application submits the message "greeting" scheduled 8 seconds from now
    And the proxy restarts
    Then the message "digest" is "pending" in the message details and in the message list
    And the restart was over before the message "greeting" was due
    And the mail "greeting" is delivered
    And the mail "greeting" was not sent before its scheduled time
    When the batch "weekly" is activated
    Then the mail "digest" is delivered

  @known-defect @own-proxy-on-postgresql @doc-D9
  Scenario: A proxy on PostgreSQL accepts a message scheduled far in the future
    Given a tenant with an SMTP account on the mail sink
    When the application submits the message "anniversary" scheduled for the first of January 2100
    Then the proxy accepts the message "anniversary" and holds it until then

  @known-defect @own-proxy-on-postgresql @doc-J17
  Scenario: A proxy on PostgreSQL deletes a tenant with everything it owns
    Given a tenant with an SMTP account on the mail sink
    And the tenant has a storage "HOME" on the local disk
    When the application submits the message "farewell" scheduled 3 seconds from now
    And the application deletes the tenant
    Then the tenant has no accounts and no messages left
    And the tenant has no storages left
    And the mail "farewell" is not delivered, not even after its scheduled time
