@fullstack @large-files
Feature: Large attachments moved to the object store
  A tenant can set a size limit for attachments and say what happens to a bigger one:
  move it to an object store and put a download link in the mail instead (rewrite),
  refuse the message (reject), or send it anyway with a warning (warn). Mail servers
  often refuse big mails, so moving big files out keeps the mail deliverable.

  Each scenario has a bucket of its own in the stack's S3 object store (MinIO), or, for
  storage on the proxy's own disk, a folder of its own there that a web server publishes
  at the address the tenant gives, as an operator's nginx would. Files are compared with
  what was sent, byte for byte (by checksum).

  Where days must pass, the scenario runs on a proxy of its own whose clock it moves
  forward: the days are the proxy's days, which pass for it in a moment.

  Background:
    Given a tenant with an SMTP account on the mail sink

  @known-defect @doc-H1
  Scenario: An attachment over the limit is moved to the object store and replaced by a download link
    Given the tenant's attachments larger than 50 KB are moved to the object store
    When the application submits the message "report" with "big.bin" of 200 KB
    Then the mail "report" is delivered
    And the object store holds "big.bin" with the bytes that were sent
    And the mail "report" has a link to "big.bin" that downloads the bytes that were sent
    And the mail "report" does not carry "big.bin" as an attachment
    And the mail "report" is delivered only once

  @known-defect @doc-H6
  Scenario: With storage on the proxy's disk, the download link points into the published folder and carries a signed token
    Given the tenant's attachments larger than 50 KB are moved to a folder on the proxy's disk that a web server publishes
    When the application submits the message "report" with "big.bin" of 200 KB
    Then the mail "report" is delivered
    And the folder holds "big.bin" with the bytes that were sent
    And the mail "report" does not carry "big.bin" as an attachment
    And the mail "report" has a link to "big.bin" under the folder's public address that downloads the bytes that were sent
    And the link to "big.bin" in the mail "report" carries a signed token
    And the mail "report" is delivered only once

  @controlled-clock @known-defect @doc-H8
  Scenario: A downloaded file is kept the days the tenant says after its first download, and a file nobody downloaded stays
    Given the tenant's attachments over 50 KB go to a published folder, kept 2 days after first download, 30 days at most
    When the application submits the message "report" with "big.bin" of 200 KB
    And the application submits the message "draft" with "draft.bin" of 200 KB
    And the recipient downloads "big.bin" with the link in the mail "report"
    And the proxy's clock moves on 1 day
    Then the link to "big.bin" in the mail "report" still downloads the bytes that were sent
    When the proxy's clock moves on 2 more days
    Then the proxy has removed "big.bin" of the mail "report" from the folder, and its link no longer downloads it
    And the link to "draft.bin" in the mail "draft" still downloads the bytes that were sent

  @known-defect @doc-H5
  Scenario: The download link of a moved attachment expires when the tenant says, and the mail says when
    Given the tenant's attachments larger than 50 KB are moved to the object store, with links that expire after 2 days
    When the application submits the message "report" with "big.bin" of 200 KB
    Then the mail "report" has a link to "big.bin" that downloads the bytes that were sent
    And the link to "big.bin" in the mail "report" is signed to expire after 2 days
    And the mail "report" says that its download links expire in 2 days

  @doc-H2
  Scenario: An attachment under the limit stays in the mail
    Given the tenant's attachments larger than 50 KB are moved to the object store
    When the application submits the message "memo" with "memo.bin" of 10 KB
    Then the mail "memo" carries "memo.bin" as "application/octet-stream" with the bytes that were sent
    And the object store holds nothing

  @known-defect @doc-H3
  Scenario: A message with an attachment over the limit is refused with the reason
    Given the tenant's attachments larger than 50 KB are refused
    When the application submits the message "video" with "video.bin" of 200 KB
    Then the message "video" fails with an error that mentions "video.bin" and "exceeds limit"
    And the mail "video" is not delivered

  @known-defect @doc-H4
  Scenario: A message with an attachment over the limit is sent with a warning
    Given the tenant's attachments larger than 50 KB are sent with a warning
    When the application submits the message "scan" with "scan.bin" of 200 KB
    Then the mail "scan" carries "scan.bin" as "application/octet-stream" with the bytes that were sent
    And the proxy warns once that "scan.bin" of "scan" exceeds the size limit
