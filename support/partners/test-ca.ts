/**
 * A certificate authority of the suite, made afresh for each test process with the
 * openssl command line (Debian's openssl), and the certificates it signs for the suite's
 * TLS mail servers (support/partners/tls-smtp-sink.ts).
 *
 * The proxy is told to trust it the way an operator trusts a company's own CA: its
 * environment gets SSL_CERT_FILE, a bundle of this machine's CA certificates plus this
 * CA. 0.7.0's SMTP client (aiosmtplib 5.1.3, smtp.py:638-648) builds its TLS context with
 * ssl.create_default_context(), which loads the default verify paths, and OpenSSL reads
 * SSL_CERT_FILE there (test/tls-sink.test.ts runs it with the SUT's Python, with and
 * without the bundle). The bundle is written where every proxy of the stack reads files
 * at the same path as the test process (StackProvider.proxyFileDir()); the keys stay in a
 * private temp dir of the test process.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** This machine's CA certificates (Debian's ca-certificates), else Node's own copy of Mozilla's. */
const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

export interface ServerCertificate {
  /** PEM: the server's certificate. */
  cert: string;
  /** PEM: its private key. */
  key: string;
  /** The name the certificate is for: an IP address or a host name. */
  host: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (error) {
    const e = error as Error & { code?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new Error('the openssl command is missing: install the Debian package openssl (apt-get install openssl)');
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.trim() || e.message}`);
  }
}

export class TestCertificateAuthority {
  private count = 0;

  private constructor(
    /** Private: the CA's key and the servers' keys. */
    private readonly dir: string,
    /** PEM: the CA's certificate. */
    readonly certificate: string,
  ) {}

  /** Makes a CA (an EC P-256 key and a self-signed certificate valid for two days) in a new private temp dir. */
  static async create(): Promise<TestCertificateAuthority> {
    const dir = mkdtempSync(join(tmpdir(), 'gmp-test-ca-'));
    const id = randomBytes(4).toString('hex');
    await openssl(
      [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2',
        '-subj', `/O=genro-mail-proxy acceptance suite/CN=Test CA ${id}`,
        '-addext', 'basicConstraints=critical,CA:TRUE',
        '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
      ],
      dir,
    );
    return new TestCertificateAuthority(dir, readFileSync(join(dir, 'ca.crt'), 'utf8'));
  }

  /** A server certificate for `host` (its subjectAltName: an IP address or a DNS name), signed by this CA. */
  async serverCertificate(host: string): Promise<ServerCertificate> {
    this.count += 1;
    const name = `server-${this.count}`;
    const san = isIP(host) ? `IP:${host}` : `DNS:${host}`;
    writeFileSync(
      join(this.dir, `${name}.ext`),
      [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=serverAuth',
        `subjectAltName=${san}`,
        'subjectKeyIdentifier=hash',
        'authorityKeyIdentifier=keyid,issuer',
        '',
      ].join('\n'),
    );
    await openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${host}`], this.dir);
    await openssl(
      ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.crt`],
      this.dir,
    );
    return { cert: readFileSync(join(this.dir, `${name}.crt`), 'utf8'), key: readFileSync(join(this.dir, `${name}.key`), 'utf8'), host };
  }

  /**
   * Writes the bundle a proxy is given as SSL_CERT_FILE into `dir`: this machine's CA
   * certificates, then this CA's. Returns its path.
   */
  writeTrustBundle(dir: string): string {
    const system = existsSync(SYSTEM_BUNDLE) ? readFileSync(SYSTEM_BUNDLE, 'utf8') : rootCertificates.join('\n');
    const path = join(dir, `test-ca-bundle-${randomBytes(4).toString('hex')}.pem`);
    writeFileSync(path, `${system.trimEnd()}\n${this.certificate}`, { mode: 0o644 });
    return path;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
