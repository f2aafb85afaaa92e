@fullstack @front-door @install
Feature: Installing the proxy and starting it with its documented settings
  An operator installs genro-mail-proxy from the package index with pip, which gives
  the mail-proxy command, and starts the service with it. On servers and in containers
  the service takes its settings from the GMP variables of the usage guide: the address
  and port it listens on, its database, the token applications must send, whether its
  scheduler starts active, and test mode. A proxy with no token configured lets
  applications in without one.

  Each scenario has an operator's machine of its own: this machine, or in Docker mode a
  container of the proxy's image. The mail-proxy command there is the release's own, as
  pip installs it. In Docker mode the release's Docker image is built from its own
  Dockerfile; on this machine its command runs with the package pip installs. A scenario
  that names its database also makes the default data folder read-only, so that nothing
  can be kept anywhere else.

  @known-defect @doc-O1
  Scenario: The package from the package index gives a working mail-proxy command
    Given the operator has installed the release's package with pip
    When the operator asks that package's mail-proxy command for its help
    Then the command succeeds, prints its usage and reports no error

  @known-defect @doc-O1 @doc-O5
  Scenario: The release's Docker image serves the API and asks for the token given in its GMP settings
    When the operator runs the release's Docker image with a token in the GMP settings and its database in the data volume
    Then the proxy answers where the image's port is published
    And an application that sends no token is refused, and one that sends the configured token is answered

  @known-defect @doc-O9
  Scenario: The diagnostic tools that the architecture guide names come with the release
    When the operator looks for the diagnostic tools in the release's source package
    Then the system-state, loop-monitor and test-dispatch tools that the guide names are all there

  @known-defect @doc-O2
  Scenario: A proxy started with the GMP settings listens, keeps its data and asks for the token as they say
    When the operator starts the proxy with its address, port, database file and token in the GMP settings
    Then the proxy answers at the address and port the settings name
    And the proxy keeps its data in the database file the settings name
    And an application that sends no token is refused, and one that sends the configured token is answered

  @known-defect @doc-O4
  Scenario: A proxy started with its scheduler active by the GMP settings reports each outcome to the application
    Given the operator has started the proxy with a database file and the scheduler active in the GMP settings
    And a tenant with an SMTP account on the mail sink
    And the tenant's delivery reports go to the application, with a bearer token
    When the application submits the message "welcome"
    Then the mail "welcome" is delivered
    And the application receives a delivery report for "welcome"

  @known-defect @doc-O2
  Scenario: A proxy started in test mode by the GMP settings sends only when it is asked to run
    Given the operator has started the proxy with a database file and test mode on in the GMP settings
    And a tenant with an SMTP account on the mail sink
    When the application submits the message "drill"
    Then the mail "drill" is not delivered
    When the application asks the proxy to run now
    Then the mail "drill" is delivered

  @known-defect @doc-M8 @doc-O2
  Scenario: A proxy started with delivery-activity logging shows each SMTP attempt in its console log
    Given the operator has started the proxy with a database file and delivery-activity logging on in the GMP settings
    And a tenant with an SMTP account on the mail sink
    When the application submits the message "audit"
    Then the mail "audit" is delivered
    And the proxy's console log shows the SMTP attempt for "audit"

  @known-defect @doc-M7
  Scenario: A proxy started with structured logging writes each log line as an object with its time and level
    Given the operator has started the proxy with a database file and structured logging in the logging settings
    And a tenant with an SMTP account on the mail sink
    When the application submits the message "ledger"
    Then the mail "ledger" is delivered
    And the proxy's console log has a structured line at level INFO that names "ledger"

  @known-defect @network @doc-O3 @doc-O2
  Scenario: A proxy started with a disk folder for its attachment cache downloads a file given with its MD5 only once
    Given the operator has started the proxy with a database file and a disk cache folder in the GMP settings
    And a tenant with an SMTP account on the mail sink
    And "terms.pdf" is served at a URL that needs the token "att-token"
    When the application submits the message "terms" with "terms.pdf" from its URL, with its MD5
    Then the mail "terms" carries "terms.pdf" as "application/pdf" with the bytes that were sent
    When the application submits the message "renewal" with "terms.pdf" from its URL, with its MD5
    Then the mail "renewal" carries "terms.pdf" as "application/pdf" with the bytes that were sent
    And the file server was asked for "terms.pdf" with the bearer token "att-token"

  @doc-O2
  Scenario: A proxy started with the release's defaults lets applications in without a token
    Given the operator has started the proxy with the release's defaults
    When the application creates a tenant with an SMTP account on the mail sink, sending no token
    Then the application sees that tenant in the tenant list, sending no token
    And the application can submit the message "hello" without a token, and the proxy accepts it
