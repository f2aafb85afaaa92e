@fullstack @security
Feature: Who may do what with the proxy's API
  Every call to genro-mail-proxy's API carries a token. The operator's token may do
  everything. Each tenant can also get a key of its own, which reaches that tenant's
  accounts and messages and nothing else. A refused or invalid call gets an error the
  application can read, never a crash, a batch is never applied by halves, and the API
  never hands a stored secret back.

  Every scenario works with tenants of its own (acme, beta). Every password and token
  it uses is made at random for the run, and none of them appears in the report. One
  scenario reads the proxy's database, as its operator can: it runs a proxy of its own
  on a PostgreSQL database made for it.

  @doc-J1
  Scenario: A call without a token, or with a wrong one, is refused with a JSON error
    When the tenant list is asked for without a token
    Then the call is refused as unauthorized, with an error the application can read
    When the tenant list is asked for with a token the proxy never issued
    Then the call is refused as unauthorized, with an error the application can read

  @doc-J2
  Scenario: The health check and the metrics are open to monitoring without a token
    Then the health check answers without a token
    And the metrics answer without a token, in the form monitoring tools read

  @doc-J4 @doc-J7
  Scenario: A tenant's key works for its own accounts and messages
    Given the tenant "acme" with a key of its own
    When acme, with its key, adds an SMTP account on the mail sink
    And acme, with its key, submits the message "hello"
    Then the mail "hello" is delivered
    And acme, with its key, sees the message "hello" as "sent"

  @known-defect @doc-J8
  Scenario: A tenant's key cannot read another tenant's accounts or messages
    Given the tenants "acme" and "beta", each with a key of its own
    And beta has an SMTP account and the message "payroll" waiting to be sent
    When acme, with its key, asks for beta's accounts and messages
    Then every one of these calls is refused
    And beta's own key and the operator's token may make these same calls

  @known-defect @doc-J9
  Scenario: A tenant's key cannot change or delete another tenant's accounts or messages
    Given the tenants "acme" and "beta", each with a key of its own
    And beta has an SMTP account and the message "payroll" waiting to be sent
    When acme, with its key, tries to change beta's account, then to delete its message and the account itself
    Then every one of these calls is refused
    And beta's account and its message "payroll" are as they were

  @known-defect @doc-J10
  Scenario: A tenant's key cannot create tenants or replace another tenant's key
    Given the tenants "acme" and "beta", each with a key of its own
    When acme, with its key, tries to create a tenant and to replace beta's key
    Then every one of these calls is refused
    And there is no tenant "intruder"
    And beta's key still works

  @doc-J14
  Scenario: A tenant's key, and a new key given to it, are 43 characters of URL-safe base64
    Given the tenant "acme" with a key of its own
    Then acme's key is 43 characters of URL-safe base64
    When the operator gives acme a new key
    Then acme's key is 43 characters of URL-safe base64
    And acme's new key is not its old one
    And acme's key works

  @db @own-proxy-on-postgresql @doc-J14
  Scenario: The proxy's database keeps only a SHA-256 hash of a tenant's current key
    Given the tenant "acme" with a key of its own
    When the operator gives acme a new key
    Then acme's key works
    And the proxy's database holds neither of acme's keys, only a SHA-256 hash of its new key

  @doc-J13
  Scenario: An expired tenant key is refused
    Given the tenant "acme" with a key that expired a minute ago
    When acme, with its key, asks for its own accounts
    Then the call is refused as unauthorized, with an error the application can read

  @doc-J12
  Scenario: A revoked tenant key is refused
    Given the tenant "acme" with a key of its own
    And acme's key works
    When the operator revokes acme's key
    And acme, with its key, asks for its own accounts
    Then the call is refused as unauthorized, with an error the application can read

  @doc-A15
  Scenario: A call that lacks a required field is refused, naming the field
    Given a tenant with an SMTP account on the mail sink
    When the application adds an account without its "port"
    Then the call is refused as invalid, naming the field "port"

  @known-defect @doc-A14 @doc-J15
  Scenario: Asking for a tenant, an account or a message that does not exist gets a "not found" error
    Given a tenant with an SMTP account on the mail sink
    When the application asks for a tenant, an account and a message that do not exist
    Then every one of these calls is answered "not found", with an error the application can read

  @known-defect @doc-A3
  Scenario: A batch with one invalid message is not applied by halves
    Given a tenant with an SMTP account on the mail sink
    When the application submits the messages "first" and "second" in one batch, "second" with the priority "urgent"
    Then the proxy keeps exactly the messages its answer says it queued
    And the answer says that "second" is invalid

  @known-defect @network @no-doc-promise
  Scenario: Reading an account never returns its SMTP password
    Given a tenant with an SMTP account that logs in with a user and a password
    When the application reads the account back: as added, by its id, and in the account list
    Then none of these answers contains the password
    And the proxy still logs in with that password when it sends through the account

  @known-defect @no-doc-promise
  Scenario: Reading a PEC account never returns its IMAP password
    Given a tenant with a PEC account that reads its receipts over IMAP with a password
    When the application reads the PEC account back: as added, by its id, and in the list of PEC accounts
    Then none of these answers contains the password

  @known-defect @network @no-doc-promise
  Scenario: Reading a tenant never returns the token its delivery reports are sent with
    Given a tenant whose delivery reports are sent with a bearer token
    When the application reads the tenant back: as added, by its id, and in the tenant list
    Then none of these answers contains the token
    And the tenant's delivery reports still carry that token

  @known-defect @doc-J5
  Scenario: Reading a tenant never reveals its API key, not even as a hash
    Given the tenant "acme" with a key of its own
    When the application reads the tenant acme back: by its id and in the tenant list
    Then none of these answers contains acme's key, nor a digest of it
    And acme's key still works

  @known-defect @own-proxy @doc-J23
  Scenario: Reading the proxy's settings never returns the bounce mailbox password or a stored token
    Given the operator has stored a token and the password of the bounce mailbox in the proxy's settings
    When the application reads the proxy's settings back: all of them, and those of the bounce mailbox
    Then none of these answers contains the password or the token

  @known-defect @no-doc-promise
  Scenario: Reading a storage never returns its secret key
    Given a tenant with an S3 storage whose secret key is known only to the operator
    When the application reads the storage back: as added, by its name, and in the tenant's list of storages
    Then none of these answers contains the secret key

  @doc-C7 @doc-J20
  Scenario: Deleting messages in bulk removes only the tenant's own, and names the others
    Given the tenants "acme" and "beta", each with a key of its own
    And acme has an SMTP account and the message "notice" waiting to be sent
    And beta has an SMTP account and the message "payroll" waiting to be sent
    When the operator deletes for acme the messages "notice" and "payroll" and one that never existed
    Then the answer says "notice" was removed, "payroll" is not acme's and the other was not found
    And acme no longer has the message "notice"
    And beta's account and its message "payroll" are as they were

  @known-defect @doc-J19
  Scenario: An account for a tenant that does not exist is refused
    When the application adds an SMTP account for a tenant that does not exist
    Then the call is refused with an error the application can read, naming the tenant
    And no account is stored for that tenant

  @doc-J11 @doc-J14
  Scenario: A new key for a tenant makes its old key invalid at once
    Given the tenant "acme" with a key of its own
    And acme's key works
    When the operator gives acme a new key
    Then acme's key works
    When acme, with its old key, asks for its own accounts
    Then the call is refused as unauthorized, with an error the application can read

  @known-defect @doc-J8 @doc-J9 @doc-J10
  Scenario: A tenant's key is confined to its own tenant on the tenant routes
    Given the tenants "acme" and "beta", each with a key, accounts, a storage and a message of its own
    When acme, with its key, makes these calls:
      | call                      | answer                                  |
      | read beta's tenant record | refused: not authorized for this tenant |
      | rename beta               | refused: not authorized for this tenant |
      | suspend beta's sending    | refused: not authorized for this tenant |
      | list the tenants          | refused: for the operator only          |
    Then each call gets the answer its line gives
    And beta's tenant, accounts, messages and storages are as they were before these calls

  @known-defect @doc-J8 @doc-J9
  Scenario: A tenant's key is confined to its own tenant on the account routes
    Given the tenants "acme" and "beta", each with a key, accounts, a storage and a message of its own
    When acme, with its key, makes these calls:
      | call                                | answer                                  |
      | list beta's accounts                | refused: not authorized for this tenant |
      | add a PEC account for beta          | refused: not authorized for this tenant |
      | list the accounts, naming no tenant | acme's own only                         |
      | list the PEC accounts               | acme's own only                         |
      | list the ids of the PEC accounts    | acme's own only                         |
    Then each call gets the answer its line gives
    And beta's tenant, accounts, messages and storages are as they were before these calls

  @known-defect @doc-J8 @doc-J9
  Scenario: A tenant's key is confined to its own tenant on the message routes
    Given the tenants "acme" and "beta", each with a key, accounts, a storage and a message of its own
    When acme, with its key, makes these calls:
      | call                                                        | answer                                  |
      | count beta's messages waiting to be sent                    | refused: not authorized for this tenant |
      | clean up beta's old messages                                | refused: not authorized for this tenant |
      | list the messages, naming no tenant                         | acme's own only                         |
      | delete beta's message by its internal key, naming no tenant | refused: not authorized for this tenant |
    Then each call gets the answer its line gives
    And beta's tenant, accounts, messages and storages are as they were before these calls

  @known-defect @doc-J8 @doc-J9
  Scenario: A tenant's key is confined to its own tenant on the storage routes
    Given the tenants "acme" and "beta", each with a key, accounts, a storage and a message of its own
    When acme, with its key, makes these calls:
      | call                                | answer                                  |
      | list beta's storages                | refused: not authorized for this tenant |
      | read beta's storage                 | refused: not authorized for this tenant |
      | list the storages, naming no tenant | acme's own only                         |
      | delete beta's storage               | refused: not authorized for this tenant |
    Then each call gets the answer its line gives
    And beta's tenant, accounts, messages and storages are as they were before these calls

  @known-defect @doc-J10
  Scenario: A tenant's key is refused on the command log, which is for the operator only
    Given the tenants "acme" and "beta", each with a key, accounts, a storage and a message of its own
    When acme, with its key, makes these calls:
      | call                                    | answer                         |
      | list beta's commands in the command log | refused: for the operator only |
      | list the command log                    | refused: for the operator only |
      | export the command log                  | refused: for the operator only |
    Then each call gets the answer its line gives
    And beta's tenant, accounts, messages and storages are as they were before these calls

  @known-defect @doc-J9 @doc-J10
  Scenario: A tenant's key cannot read the proxy's settings, nor steer another tenant through them
    Given the tenants "acme" and "beta", each with a key, accounts, a storage and a message of its own
    When acme, with its key, makes these calls:
      | call                                        | answer                                  |
      | suspend beta's sending through the instance | refused: not authorized for this tenant |
      | run now for beta                            | refused: not authorized for this tenant |
      | read the proxy's settings                   | refused: for the operator only          |
      | read the sync status of every tenant        | refused: for the operator only          |
    Then each call gets the answer its line gives
    And beta's tenant, accounts, messages and storages are as they were before these calls
