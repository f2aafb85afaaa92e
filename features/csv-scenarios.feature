@fullstack @delivery @csv
Feature: Delivery cases kept in a CSV file
  Product owners keep delivery cases in a spreadsheet. Each row names a sender,
  recipients, a subject, a body and the status the message must reach. The suite
  submits every row to the proxy and checks the outcome, row by row.

  Rows that simulate a bounce live in bounce-scenarios.csv and run with the bounce
  features; the loader refuses them anywhere else, so they can never pass unexamined.

  Background:
    Given a tenant with an SMTP account on the mail sink

  @doc-B1
  Scenario: Every delivery case reaches its expected status
    Given the delivery cases in "delivery-scenarios.csv"
    When the application submits every case
    Then every case reaches its expected status
    And every case that is sent is delivered exactly once, as written, and no other case is delivered

  @faults @doc-E8
  Scenario: Delivery cases for recipients the mail server does not know end in error
    Given the tenant's SMTP account points at a mail server that refuses unknown recipients
    And the mail server does not know "ghost"
    And the delivery cases in "refusal-scenarios.csv"
    When the application submits every case
    Then every case reaches its expected final status in the message list
    And every case that is sent is delivered exactly once, as written, and no other case is delivered
