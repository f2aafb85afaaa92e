@fullstack @api
Feature: The HTTP API
  Applications talk to genro-mail-proxy over HTTP. The API describes itself, so that a
  developer can read it and generate a client. A command the proxy does not have gets an
  error the application can read, saying so. Queuing a message answers at once, whatever
  the mail server is doing, because the proxy delivers later, on its own.

  Every scenario works in a tenant of its own.

  @doc-A17
  Scenario: The API describes itself, with the routes to submit and list messages
    When the application reads the description of the API and its documentation pages
    Then the description lists the routes to submit and to list messages, and both pages show

  @known-defect @doc-A16
  Scenario: A command the proxy does not have gets an error saying it is unknown
    When the application calls a command the proxy does not have
    Then the proxy answers with an error the application can read, saying the command is unknown

  @doc-A11
  Scenario: Queuing answers at once, without waiting for a mail server that does not answer
    Given a tenant whose SMTP account points at a mail server that takes connections and never answers
    When the application submits the message "first", timing the answer
    And the proxy is trying to deliver it to that server
    And the application submits the message "second", timing the answer
    Then the submissions of "first" and "second" were both answered at once, and the messages wait unsent

  @known-defect @own-proxy @doc-A13
  Scenario: Every route the docs name is there
    Given a tenant with an SMTP account on the mail sink
    When the application calls each route the docs name, as the docs call it, for its own tenant
    Then none of those routes answers that it is not there
