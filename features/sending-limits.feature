@fullstack @limits
Feature: Sending limits of an account
  A mail provider lets an account send only so many messages a minute, an hour or a day.
  The application gives each SMTP account the limits of its provider, and genro-mail-proxy
  keeps to them: by default it holds back the messages over the limit and sends them as
  soon as the limit allows, and none is lost; an account can ask instead that messages
  over its limit fail at once, with the reason.

  The limit is the account's own: it counts what that account sent in the last minute,
  whatever happens to the proxy in between, and another tenant's account does not use it up.

  Every scenario has a tenant and accounts of its own. Waiting for the limit to let the
  held-back messages through takes one to two minutes, and a minute is the proxy's
  minute: where a scenario waits for the limit, the proxy's clock runs ten times faster
  than ours, so those minutes pass in seconds, and "within any minute" is counted on the
  proxy's clock.

  @long @fast-clock @own-proxy @doc-F1
  Scenario: Messages over an account's limit are held back and delivered as soon as the limit allows
    Given a tenant whose SMTP account on the mail sink may send 2 messages a minute
    When the application submits 4 messages at once
    Then 2 of them are delivered at once
    And the other 2 are held back, with the sending limit as the reason
    And they wait until the next whole minute of the proxy's clock
    And they are delivered later, no more than 2 of all within any minute

  @doc-F4
  Scenario: An account that refuses messages over its limit makes them fail at once, with the reason
    Given a tenant whose SMTP account on the mail sink may send 1 message a minute, and refuses the rest
    When the application submits 3 messages at once
    Then 1 of them is delivered at once
    And the other 2 fail, with the sending limit as the reason

  @known-defect @doc-F6
  Scenario: Two tenants' accounts of the same name each have a limit of their own
    Given the tenants "acme" and "beta", whose accounts of the same name may send 2 messages a minute, and refuse the rest
    When acme submits 3 messages at once
    Then exactly 2 of acme's messages are delivered, each once, and the rest fail with the sending limit as the reason
    When beta submits 3 messages at once, within the same minute
    Then exactly 2 of beta's messages are delivered, each once, and the rest fail with the sending limit as the reason

  @known-defect @own-proxy @doc-F7
  Scenario: A restart does not give an account a fresh limit
    Given a tenant whose SMTP account on the mail sink may send 1 message a minute, and refuses the rest
    When the application submits the message "first"
    Then the mail "first" is delivered
    When the proxy restarts
    And the application submits the message "second"
    Then the message "second" fails, with the sending limit as the reason
