@fullstack @db @several-proxies
Feature: Several proxies on one database
  A busy installation runs several genro-mail-proxy instances side by side, all on one
  PostgreSQL database, behind one address. The application does not care which instance
  takes its call: together the instances send every message exactly once, and together
  they keep each account within the sending limit of its provider, as one proxy would.

  Every scenario starts two proxies of its own on a fresh PostgreSQL database made for it.
  Both send only when they are asked to run, so that a scenario can set them to work at
  the same moment, or one after the other. Because of the start-up defect shown in the
  PostgreSQL feature, the suite creates the database's tables before the proxies start.

  @known-defect @doc-N5
  Scenario: Two proxies on one database send each message exactly once
    Given two proxies on one PostgreSQL database, each sending only when it is asked to run
    And a tenant with an SMTP account on the mail sink
    When the application submits a batch of 10 messages
    And both proxies are asked to run at the same moment
    Then every message of the batch is delivered exactly once, and is sent once in the message list of either proxy

  @known-defect @doc-F8
  Scenario: Two proxies on one database keep one sending limit for an account
    Given two proxies on one PostgreSQL database, each sending only when it is asked to run
    And a tenant whose SMTP account on the mail sink may send 1 message a minute, and refuses the rest
    When the application submits the message "first"
    And the first proxy is asked to run now
    Then the mail "first" is delivered
    When the application submits the message "second"
    And the second proxy is asked to run now
    Then the message "second" fails, with the sending limit as the reason
