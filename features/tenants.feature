@fullstack @tenants
Feature: Managing tenants and their accounts
  The operator sets up a tenant for each application, and the application manages the
  SMTP accounts its mail goes out through. A tenant's key is handed out once, when the
  tenant is created; saving the tenant again changes its settings but not its key. An
  account the application deletes is no longer used. An application that needs no
  credentials gets its delivery reports without any.

  Every scenario works in tenants and accounts of its own.

  @doc-J6
  Scenario: Saving an existing tenant again keeps its key and does not hand it out again
    Given the operator has created the tenant acme, which got its key
    When the operator saves acme again, with the name "Acme Corporation"
    Then the answer hands out no key, and acme is now named "Acme Corporation"
    And acme, with the key it got when it was created, can still list its own accounts

  @doc-J21
  Scenario: A deleted account is no longer listed, and no mail goes out through it
    Given a tenant with an SMTP account on the mail sink
    And the tenant has a second SMTP account "backup" on the mail sink
    When the application deletes the account "backup"
    Then the tenant's account list shows only its first account
    When the application submits the message "late" through the account "backup"
    Then the mail "late" is not delivered

  @network @doc-J22
  Scenario: A tenant whose application needs no credentials gets its delivery reports without any
    Given a tenant with an SMTP account on the mail sink
    And the tenant's delivery reports go to the application, which needs no credentials
    When the application submits the message "receipt"
    Then the application receives a delivery report for "receipt"
    And the delivery reports of "receipt" came without credentials
