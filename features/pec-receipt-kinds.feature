@fullstack @pec-receipt-kinds
Feature: Every kind of PEC receipt
  Besides acceptance, delivery and non-delivery, a PEC provider sends two more receipts.
  When the sender's own provider refuses a message (non accettazione, for instance because
  it carries a virus), the message went nowhere: genro-mail-proxy records a PEC error on
  it. When the recipient's provider takes the message in charge (presa in carico), the
  message is on its way: the proxy records a relay, which is neither an acceptance nor a
  delivery.

  Each scenario has a PEC mailbox of its own on the stack's IMAP server. The proxy checks
  PEC mailboxes once a minute, so these scenarios wait a little over a minute for the
  receipts. That minute is the proxy's own: here the proxy's clock runs ten times faster
  than ours, so its minute passes in a few seconds, and every time the proxy reports is
  read on its clock.

  @known-defect @long @fast-clock @own-proxy @doc-L6 @doc-L7
  Scenario: A non-acceptance receipt is recorded as a PEC error, and a hand-off receipt as a relay
    Given a tenant with a PEC account on the mail sink whose receipts arrive in the scenario's PEC mailbox
    And the message "notice" to lawyer was delivered
    And the message "memo" to notary was delivered
    When the PEC provider's "non accettazione" receipt for "notice" arrives in the PEC mailbox
    And the PEC provider's "presa in carico" receipt for "memo" arrives in the PEC mailbox
    Then the message "notice" records the PEC event of the "non accettazione" receipt, and no other
    And the message "memo" records the PEC event of the "presa in carico" receipt, and no other
