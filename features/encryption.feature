@fullstack @encryption
Feature: Encrypted delivery to the mail server
  An SMTP account names its mail server's host and port, a login, and whether to use
  TLS. The docs give two ways to reach a mail server encrypted: the submission port
  (587), where the session opens in plain text and is upgraded with STARTTLS, and the
  SMTPS port (465), where TLS begins with the first byte. They configure Gmail and the
  other providers they list on 587 with "use TLS" set to false, and say that this still
  means STARTTLS; the command line calls the same setting "Enable STARTTLS".

  The product owner reads the docs so that all of them hold at once: on the submission
  port the proxy always upgrades with STARTTLS before it logs in and sends, whatever
  "use TLS" says; on the SMTPS port, with "use TLS" set, it speaks TLS from the first
  byte. Either way the login and the mail never cross the network in clear text.

  Each scenario's mail server is a server of the suite that records, for every session,
  whether and how TLS began, and what it saw before and after. Its certificate comes
  from a certificate authority the suite makes for the run, which the proxy is told to
  trust, as an operator trusts a company's own authority.

  @network @doc-E12
  Scenario: An account on the SMTPS port, set to use TLS, speaks TLS from the first byte
    Given a tenant whose SMTP account is set to use TLS
    And the account logs in on the SMTPS port of a mail server that speaks only TLS
    When the application submits the message "invoice"
    Then the mail "invoice" reaches the mail server over TLS from the first byte, after a login over TLS
    And the mail server saw no login and no mail in clear text
    And the message "invoice" becomes "sent" in the message details and in the message list

  @known-defect @network @doc-E12
  Scenario: An account on the submission port, set not to use TLS as the docs' Gmail example is, still upgrades with STARTTLS
    Given a tenant whose SMTP account is set not to use TLS, as in the docs' Gmail example
    And the account logs in on the submission port of a mail server that requires STARTTLS
    When the application submits the message "payslip"
    Then the mail "payslip" reaches the mail server after an upgrade with STARTTLS, then a login over TLS
    And the mail server saw no login and no mail in clear text
    And the message "payslip" becomes "sent" in the message details and in the message list
