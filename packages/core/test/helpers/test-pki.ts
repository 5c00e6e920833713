/**
 * A throw-away PKI for tests, made with the `openssl` CLI in a temporary directory: self-signed
 * roots, CA and non-CA intermediates, and leaf certificates over a key the test holds (so it can
 * sign requests with it). Explicit validity dates come from `openssl ca -startdate/-enddate`.
 * Nothing is written outside the temporary directory; `dispose()` removes it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, type KeyObject } from 'node:crypto';

export interface TestCert {
  readonly name: string;
  readonly pem: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface IssueOptions {
  /** Subject common name; also the file stem. */
  readonly name: string;
  /** basicConstraints cA (default false). */
  readonly ca?: boolean;
  readonly pathLen?: number;
  /** keyUsage value, e.g. `critical,digitalSignature`; default keyCertSign,cRLSign for CAs, none for leaves. */
  readonly keyUsage?: string;
  /** subjectAltName value, e.g. `URI:https://agent.example`. */
  readonly san?: string;
  /** nameConstraints value, e.g. `critical,permitted;URI:.example`. */
  readonly nameConstraints?: string;
  /** The subject key; a fresh P-256 key when absent. */
  readonly key?: KeyObject;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

const DAY = 24 * 3600 * 1000;

function stamp(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

/** The `x5t` parameter for a PEM chain: SHA-256 of the first certificate's DER. */
export function x5tOf(pem: string): Uint8Array {
  const first = /-----BEGIN CERTIFICATE-----([^-]+)-----END CERTIFICATE-----/.exec(pem)?.[1] ?? '';
  return new Uint8Array(createHash('sha256').update(Buffer.from(first.replace(/\s+/g, ''), 'base64')).digest());
}

export class TestPki {
  readonly dir: string;
  #serial = 1;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'aauth-pki-'));
  }

  #openssl(args: string[]): void {
    execFileSync('openssl', args, { cwd: this.dir, stdio: ['ignore', 'ignore', 'pipe'] });
  }

  #keyFile(name: string, key: KeyObject | undefined): string {
    const file = join(this.dir, `${name}.key`);
    if (key) writeFileSync(file, key.export({ format: 'pem', type: 'pkcs8' }));
    else this.#openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file]);
    return file;
  }

  #extensions(options: IssueOptions): string {
    const lines = [`basicConstraints = critical,CA:${options.ca ? 'TRUE' : 'FALSE'}${options.pathLen === undefined ? '' : `,pathlen:${options.pathLen}`}`];
    const keyUsage = options.keyUsage ?? (options.ca ? 'critical,keyCertSign,cRLSign' : undefined);
    if (keyUsage) lines.push(`keyUsage = ${keyUsage}`);
    if (options.san) lines.push(`subjectAltName = ${options.san}`);
    if (options.nameConstraints) lines.push(`nameConstraints = ${options.nameConstraints}`);
    lines.push('subjectKeyIdentifier = hash', 'authorityKeyIdentifier = keyid');
    return `[ext]\n${lines.join('\n')}\n`;
  }

  /** A self-signed root CA valid from yesterday for ten years. */
  root(name: string): TestCert {
    const keyFile = this.#keyFile(name, undefined);
    const certFile = join(this.dir, `${name}.pem`);
    const ext = join(this.dir, `${name}.ext`);
    writeFileSync(ext, this.#extensions({ name, ca: true }).replace('authorityKeyIdentifier = keyid', ''));
    this.#openssl(['req', '-x509', '-new', '-key', keyFile, '-subj', `/CN=${name}`, '-days', '3650', '-config', ext, '-extensions', 'ext', '-out', certFile]);
    return { name, pem: readFileSync(certFile, 'utf8'), certFile, keyFile };
  }

  /** A certificate for `options.key` (or a fresh key), signed by `issuer`. */
  issue(issuer: TestCert, options: IssueOptions): TestCert {
    const { name } = options;
    const keyFile = this.#keyFile(name, options.key);
    const csr = join(this.dir, `${name}.csr`);
    const certFile = join(this.dir, `${name}.pem`);
    const ext = join(this.dir, `${name}.ext`);
    writeFileSync(ext, this.#extensions(options));
    this.#openssl(['req', '-new', '-key', keyFile, '-subj', `/CN=${name}`, '-out', csr]);
    const db = join(this.dir, `db-${this.#serial}`);
    mkdirSync(db);
    writeFileSync(join(db, 'index.txt'), '');
    writeFileSync(join(db, 'serial'), `${(this.#serial++).toString(16).padStart(4, '0')}\n`);
    const config = join(db, 'ca.cnf');
    writeFileSync(config, [
      '[ca]', 'default_ca = test', '[test]', `database = ${join(db, 'index.txt')}`, `new_certs_dir = ${db}`, `serial = ${join(db, 'serial')}`,
      'default_md = sha256', 'policy = any', 'unique_subject = no', 'email_in_dn = no', '[any]', 'commonName = supplied', '',
    ].join('\n'));
    const notBefore = options.notBefore ?? new Date(Date.now() - DAY);
    const notAfter = options.notAfter ?? new Date(Date.now() + 365 * DAY);
    this.#openssl(['ca', '-batch', '-notext', '-config', config, '-cert', issuer.certFile, '-keyfile', issuer.keyFile, '-in', csr, '-out', certFile,
      '-startdate', stamp(notBefore), '-enddate', stamp(notAfter), '-extfile', ext, '-extensions', 'ext']);
    return { name, pem: readFileSync(certFile, 'utf8'), certFile, keyFile };
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const DAYS = DAY;
