@fullstack @attachments
Feature: Attachments
  An application attaches files to its messages in several ways: inline as base64
  content, as a URL the proxy downloads with the application's token, as a file on the
  proxy's own host, or as a document the proxy fetches from the tenant's attachment
  endpoint. The recipient gets every file under its name, with its exact bytes. When a
  file cannot be had, the message fails with a reason that names the file and the
  problem, and nothing half-made is delivered.

  Each delivered attachment is downloaded from the mail sink and compared with the file
  that was sent, byte for byte (by checksum). Files served over HTTP come from a small
  file server inside the test suite.

  Background:
    Given a tenant with an SMTP account on the mail sink

  @doc-G1 @doc-G11
  Scenario: A base64 attachment marked with its fetch mode is delivered intact
    When the application submits the message "invoice" with "invoice.pdf" as base64 content
    Then the mail "invoice" carries "invoice.pdf" as "application/pdf" with the bytes that were sent

  @doc-G2 @doc-G11
  Scenario: A base64 attachment given after the "base64:" prefix is delivered intact
    When the application submits the message "notes" with "notes.txt" as base64 content after the "base64:" prefix
    Then the mail "notes" carries "notes.txt" as "text/plain" with the bytes that were sent

  @doc-G9
  Scenario: A file name with an MD5 marker reaches the recipient without the marker
    When the application submits the message "report" with "report.pdf" named with its MD5 marker
    Then the mail "report" carries "report.pdf" as "application/pdf" with the bytes that were sent

  @network @doc-G3
  Scenario: An attachment is downloaded from a URL with the application's bearer token
    When the application submits the message "contract" with "contract.pdf" at a URL that needs the token "att-token"
    Then the mail "contract" carries "contract.pdf" as "application/pdf" with the bytes that were sent
    And the file server was asked for "contract.pdf" with the bearer token "att-token"

  @doc-G5
  Scenario: A file on the proxy's host is attached
    When the application submits the message "statement" with "statement.pdf" from the proxy's file system
    Then the mail "statement" carries "statement.pdf" as "application/pdf" with the bytes that were sent

  @network @known-defect @doc-G7
  Scenario: A document is fetched from the tenant's attachment endpoint with the tenant's credentials
    Given the tenant's attachment endpoint serves "policy.pdf" as the document "doc-42" to the token "tenant-token"
    When the application submits the message "policy" with "policy.pdf", the tenant's document "doc-42"
    Then the message "policy" is sent
    And the tenant's attachment endpoint was asked for the document "doc-42" with the bearer token "tenant-token"
    And the mail "policy" carries "policy.pdf" as "application/pdf" with the bytes that were sent

  @doc-G13
  Scenario: Invalid base64 content makes the message fail with the reason
    When the application submits the message "broken" with "broken.pdf" as invalid base64 content
    Then the message "broken" fails with an error that mentions "broken.pdf" and "Invalid base64 content"
    And the mail "broken" is not delivered

  @doc-G13
  Scenario: A missing file makes the message fail with the reason
    When the application submits the message "lost" with "lost.pdf" from the proxy's file system, where there is none
    Then the message "lost" fails with an error that mentions "lost.pdf" and "File not found"
    And the mail "lost" is not delivered

  @network @doc-G16
  Scenario: Attachments at slow URLs are fetched in parallel, never more than three at a time
    When the application submits the message "album" with 6 files at URLs that each take a moment to answer
    Then the mail "album" carries exactly the 6 files, each with the bytes that were sent
    And the file server was asked for each of the 6 files once
    And the file server had more than one of them under way at a time, and never more than 3

  @network @doc-G13
  Scenario: An attachment URL where no server answers makes the message fail with the reason
    When the application submits the message "late" with "late.pdf" at a URL where no server answers
    Then the message "late" fails with an error that mentions "late.pdf" and "Cannot connect"
    And the mail "late" is not delivered

  @network @doc-G8
  Scenario: Without a fetch mode, a URL is downloaded and an absolute path is read on the proxy's host
    Given "contract.pdf" is served at a URL that needs the token "att-token"
    When the application submits the message "contract" with "contract.pdf" from its URL, without a fetch mode
    And the application submits the message "bill" with "bill.pdf" from the proxy's file system, without a fetch mode
    Then the mail "contract" carries "contract.pdf" as "application/pdf" with the bytes that were sent
    And the file server was asked for "contract.pdf" with the bearer token "att-token"
    And the mail "bill" carries "bill.pdf" as "application/pdf" with the bytes that were sent

  @doc-G12
  Scenario: A file sent with its own MIME type keeps that type, whatever its name suggests
    When the application submits the message "export" with "export.txt" as base64 content, declared as "text/csv"
    Then the mail "export" carries "export.txt" as "text/csv" with the bytes that were sent

  @doc-G15
  Scenario: A file name of 255 characters reaches the recipient whole
    When the application submits the message "archive" with a file whose name is 255 characters long
    Then the mail "archive" carries the file under its whole 255-character name, with the bytes that were sent

  @network @known-defect @doc-G4
  Scenario: An attachment URL without credentials of its own is downloaded with the tenant's credentials
    Given the tenant's own credentials are the bearer token "tenant-token"
    And "brochure.pdf" is served at a URL that needs the token "tenant-token"
    When the application submits the message "brochure" with "brochure.pdf" from its URL, without credentials of its own
    Then the message "brochure" is sent
    And the file server was asked for "brochure.pdf" with the bearer token "tenant-token"
    And the mail "brochure" carries "brochure.pdf" as "application/pdf" with the bytes that were sent

  @network @known-defect @doc-G10
  Scenario: A file given with its MD5 is downloaded once for two messages, and the MD5 field wins over a marker in the name
    Given "terms.pdf" is served at a URL that needs the token "att-token"
    When the application submits the message "terms" with "terms.pdf" from its URL, with its MD5
    Then the mail "terms" carries "terms.pdf" as "application/pdf" with the bytes that were sent
    When the application submits the message "renewal" with "terms.pdf" from its URL, with its MD5, a wrong one in its name
    Then the mail "renewal" carries "terms.pdf" as "application/pdf" with the bytes that were sent
    And the file server was asked for "terms.pdf" with the bearer token "att-token"

  @network @known-defect @doc-G14
  Scenario: An attachment URL that is briefly unavailable is fetched again, and the message is sent
    Given "report.pdf" is served at a URL that needs the token "att-token", answering "unavailable" the first time
    When the application submits the message "report" with "report.pdf" from its URL
    Then the mail "report" carries "report.pdf" as "application/pdf" with the bytes that were sent
    And the mail "report" is delivered only once
    And the file server was asked for "report.pdf" exactly twice, each time with the bearer token "att-token"
