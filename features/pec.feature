@fullstack @pec
Feature: PEC, Italian certified e-mail
  PEC ("posta elettronica certificata") is e-mail with legal value in Italy. A tenant
  sends it through a PEC account: an SMTP server plus an IMAP mailbox where the PEC
  provider puts its receipts. The provider first confirms that it accepted a message
  (accettazione), then that it delivered it (consegna), or that it could not (mancata
  consegna). genro-mail-proxy marks the messages sent through a PEC account as PEC,
  reads the receipts, records them on each message and reports them to the application.

  Each scenario has a PEC mailbox of its own on the stack's IMAP server. The proxy
  checks PEC mailboxes once a minute, so scenarios about receipts wait a little over a
  minute for them. That minute is the proxy's own: in these scenarios the proxy's clock
  runs ten times faster than ours, so its minute passes in a few seconds, and every time
  the proxy reports is read on its clock.

  @doc-L1
  Scenario: A PEC account added with only its IMAP host reads back with the usual IMAP settings and its SMTP user
    When a PEC account is added with its SMTP login and, of its IMAP settings, only the host
    Then the account reads back as a PEC account that reads the inbox over secure IMAP as its SMTP user

  @known-defect @long @fast-clock @own-proxy @doc-L1
  Scenario: A PEC account given no IMAP login reads its receipts with its SMTP login
    Given a tenant with a PEC account with no IMAP login, whose SMTP login is that of the scenario's PEC mailbox
    And the message "contract" to lawyer was delivered
    When the PEC provider's "accettazione" receipt for "contract" arrives in the PEC mailbox
    Then the message "contract" records the PEC event of the "accettazione" receipt, and no other for a whole poll

  @doc-L2
  Scenario: A message sent through a PEC account is delivered and marked as PEC
    Given a tenant with a PEC account on the mail sink whose receipts arrive in the scenario's PEC mailbox
    When the application submits the message "contract"
    Then the mail "contract" is delivered
    And the message "contract" is marked as PEC in the message details and in the message list

  @known-defect @network @long @fast-clock @own-proxy @doc-L3 @doc-L5
  Scenario: Acceptance and delivery receipts are recorded on the message
    Given a tenant with a PEC account on the mail sink whose receipts arrive in the scenario's PEC mailbox
    And the tenant's delivery reports go to the application
    And the message "contract" to lawyer was delivered
    When the PEC provider's "accettazione" receipt for "contract" arrives in the PEC mailbox
    Then the message "contract" records the PEC event of the "accettazione" receipt, and no other
    When the PEC provider's "consegna" receipt for "contract" arrives in the PEC mailbox
    Then the message "contract" records the PEC events of the "accettazione" and the "consegna" receipts
    And the application receives a PEC report for "contract" for each of the "accettazione" and the "consegna" receipts

  @known-defect @network @long @fast-clock @own-proxy @doc-L4
  Scenario: A non-delivery receipt reaches the application as a PEC error report
    Given a tenant with a PEC account on the mail sink whose receipts arrive in the scenario's PEC mailbox
    And the tenant's delivery reports go to the application
    And the message "notice" to lawyer was delivered
    When the PEC provider's "mancata consegna" receipt for "notice" arrives in the PEC mailbox
    Then the application receives a PEC error report for "notice"

  @known-defect @long @front-door @doc-L8 @doc-O2
  Scenario: A PEC message without an acceptance receipt within the configured time is flagged
    Given the operator has started the proxy with a database file and a short PEC acceptance timeout in the GMP settings
    And a tenant with a PEC account on the mail sink whose receipts arrive in the scenario's PEC mailbox
    And the message "filing" to lawyer was delivered
    Then the message "filing" is flagged with a PEC timeout once the acceptance timeout has passed, and nothing else
