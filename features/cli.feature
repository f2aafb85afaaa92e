@fullstack @front-door @cli
Feature: Running the proxy from the command line
  The mail-proxy command manages named instances of the proxy: it starts one in the
  background, lists the instances with their state, address and port, shows the status
  of one, and stops it. Within an instance the operator adds tenants and their SMTP
  accounts, lists a tenant's messages by status or as CSV, sends a message from an .eml
  file, asks for an immediate run, reads the statistics and the API token, makes a new
  token, and opens an interactive session. Every command ends with exit code 0 when it
  worked, 1 when it failed, and 2 when it was called the wrong way.

  Each scenario's operator has a machine and a home folder of their own, where the
  command keeps its instances; an instance listens on a free port of that machine, and
  its mail goes to the mail sink.

  @known-defect @doc-P1
  Scenario: An operator starts an instance in the background, sees it running, and stops it
    When the operator starts the instance "relay" in the background
    Then the command succeeds and the instance "relay" answers
    And the instance list shows "relay" running, with its port
    When the operator stops the instance "relay"
    Then the command succeeds and the instance "relay" no longer answers
    And the instance list shows "relay" stopped

  @known-defect @doc-P3
  Scenario: An operator sets up a tenant and its SMTP account from the command line, and its mail goes out
    Given the operator has started the instance "relay" in the background
    When the operator adds the tenant "acme" and its SMTP account on the mail sink to "relay"
    Then the instance "relay" lists the tenant "acme" and its account, with the account's host and port
    When the application submits the message "welcome" to the instance "relay", with the token the operator reads
    Then the mail "welcome" is delivered

  @known-defect @doc-P4
  Scenario: An operator lists a tenant's sent messages and exports them as CSV
    Given the operator has set up the instance "relay" with the tenant "acme" and its SMTP account on the mail sink
    And the application has sent "invoice" through the instance "relay", with the operator's token, and it was delivered
    When the operator lists the sent messages of "acme"
    Then the list shows "invoice" as sent
    And the CSV export of the messages of "acme" has a row for "invoice" with its tenant, account and status

  @known-defect @doc-P4
  Scenario: An operator sends a message from an .eml file and asks the tenant's mail to go out now
    Given the operator has set up the instance "relay" with the tenant "acme" and its SMTP account on the mail sink
    When the operator sends the message "notice" from an .eml file through the account of "acme"
    And the operator asks "acme" to run now
    Then the command succeeds and the mail "notice" is delivered

  @known-defect @doc-P2
  Scenario: An operator reads the instance's token and statistics, and a new token replaces the old one
    Given the operator has set up the instance "relay" with the tenant "acme" and its SMTP account on the mail sink
    When the operator reads the token of "relay"
    Then the instance "relay" answers a call with that token
    When the operator makes a new token for "relay" and restarts the instance
    Then the instance "relay" answers a call with the new token and refuses the old one
    And the statistics of "relay" count one tenant and one account

  @known-defect @doc-P5
  Scenario: An operator's interactive session shows the instance's status and statistics
    Given the operator has set up the instance "relay" with the tenant "acme" and its SMTP account on the mail sink
    When the operator opens an interactive session on "relay", asks for the status and the statistics, and quits
    Then the session ends without error, having shown whether the scheduler is active and the number of tenants

  @known-defect @doc-P6
  Scenario: A command that fails ends with exit code 1 and says why
    Given the operator has started the instance "relay" in the background
    When the operator asks "relay" to show a tenant that does not exist
    Then the command ends with exit code 1 and says that the tenant was not found

  @doc-P6
  Scenario: A command called the wrong way ends with exit code 2 and shows how to call it
    When the operator runs the mail-proxy command with a command that does not exist
    Then the command ends with exit code 2 and shows its usage
