/**
 * What chain validation reads from one certificate beyond `node:crypto`'s `X509Certificate`:
 * validity (RFC 5280 §4.1.2.5) and the extensions of §4.2.1.3 keyUsage, §4.2.1.6 subjectAltName,
 * §4.2.1.9 basicConstraints and §4.2.1.10 nameConstraints, plus which extensions are critical.
 */
import type { X509Certificate } from 'node:crypto';
import { DerError, TAG, children, oidString, parseDer, timeSeconds, type DerNode } from './der.js';

export const EXTENSION = Object.freeze({
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  nameConstraints: '2.5.29.30',
  extKeyUsage: '2.5.29.37',
});

/**
 * Extensions whose meaning this verifier applies (extKeyUsage is accepted and not evaluated: the
 * profile defines no purpose). RFC 5280 §4.2: a critical extension outside this list fails the chain.
 */
export const UNDERSTOOD_EXTENSIONS: ReadonlySet<string> = new Set(Object.values(EXTENSION));

/** RFC 5280 §4.2.1.6 GeneralName choices, as context-specific tags. */
export const GENERAL_NAME = Object.freeze({
  otherName: 0xa0, rfc822Name: 0x81, dNSName: 0x82, x400Address: 0xa3, directoryName: 0xa4,
  ediPartyName: 0xa5, uniformResourceIdentifier: 0x86, iPAddress: 0x87, registeredID: 0x88,
});

export interface GeneralName {
  readonly tag: number;
  /** The IA5String value of dNSName, URI and rfc822Name; undefined for other forms. */
  readonly text: string | undefined;
}

export interface NameConstraints {
  readonly permitted: readonly GeneralName[];
  readonly excluded: readonly GeneralName[];
}

export interface CertificateFacts {
  readonly notBefore: number;
  readonly notAfter: number;
  readonly criticalExtensions: readonly string[];
  /** basicConstraints cA (false when the extension is absent). */
  readonly ca: boolean;
  readonly pathLen: number | undefined;
  /** keyUsage bits (bit 0 = digitalSignature … bit 8 = decipherOnly); undefined when absent. */
  readonly keyUsage: ReadonlySet<number> | undefined;
  readonly subjectAltNames: readonly GeneralName[];
  readonly nameConstraints: NameConstraints | undefined;
}

export const KEY_USAGE = Object.freeze({ digitalSignature: 0, keyCertSign: 5 });

function generalName(node: DerNode): GeneralName {
  const textual = node.tag === GENERAL_NAME.dNSName || node.tag === GENERAL_NAME.uniformResourceIdentifier || node.tag === GENERAL_NAME.rfc822Name;
  return { tag: node.tag, text: textual ? Buffer.from(node.value).toString('latin1') : undefined };
}

function bitSet(node: DerNode): Set<number> {
  const bits = new Set<number>();
  const unused = node.value[0] ?? 0;
  const total = (node.value.length - 1) * 8 - unused;
  for (let i = 0; i < total; i++) {
    if (((node.value[1 + (i >> 3)] as number) >> (7 - (i & 7))) & 1) bits.add(i);
  }
  return bits;
}

function subtrees(node: DerNode): GeneralName[] {
  // GeneralSubtree ::= SEQUENCE { base GeneralName, minimum [0] DEFAULT 0, maximum [1] OPTIONAL }
  return children(node).map((subtree) => generalName(children(subtree)[0] ?? { tag: 0, value: new Uint8Array() }));
}

/** Throws `DerError` when the certificate's DER is not what RFC 5280 says. */
export function certificateFacts(cert: X509Certificate): CertificateFacts {
  const [tbs] = children(parseDer(cert.raw));
  if (!tbs || tbs.tag !== TAG.sequence) throw new DerError('no tbsCertificate');
  const fields = children(tbs);
  // [0] version is optional; then serial, signature, issuer, validity.
  const base = fields[0]?.tag === 0xa0 ? 1 : 0;
  const validity = fields[base + 3];
  if (!validity || validity.tag !== TAG.sequence) throw new DerError('no validity');
  const [from, to] = children(validity);
  if (!from || !to) throw new DerError('incomplete validity');
  const facts = {
    notBefore: timeSeconds(from), notAfter: timeSeconds(to), criticalExtensions: [] as string[], ca: false, pathLen: undefined as number | undefined,
    keyUsage: undefined as Set<number> | undefined, subjectAltNames: [] as GeneralName[], nameConstraints: undefined as NameConstraints | undefined,
  };
  const wrapper = fields.find((f) => f.tag === 0xa3);
  const extensions = wrapper ? children(wrapper)[0] : undefined;
  for (const extension of extensions ? children(extensions) : []) {
    const parts = children(extension);
    const id = parts[0];
    if (!id || id.tag !== TAG.oid) throw new DerError('extension without an OID');
    const oid = oidString(id.value);
    const critical = parts[1]?.tag === TAG.boolean && parts[1].value[0] !== 0;
    const octets = parts[parts.length - 1];
    if (!octets || octets.tag !== TAG.octetString) throw new DerError(`extension ${oid} has no value`);
    if (critical) facts.criticalExtensions.push(oid);
    const value = parseDer(octets.value);
    switch (oid) {
      case EXTENSION.basicConstraints: {
        const members = children(value);
        const caFlag = members.find((m) => m.tag === TAG.boolean);
        facts.ca = caFlag !== undefined && caFlag.value[0] !== 0;
        const pathLen = members.find((m) => m.tag === TAG.integer);
        if (pathLen) facts.pathLen = pathLen.value.reduce((n, b) => n * 256 + b, 0);
        break;
      }
      case EXTENSION.keyUsage:
        facts.keyUsage = bitSet(value);
        break;
      case EXTENSION.subjectAltName:
        facts.subjectAltNames = children(value).map(generalName);
        break;
      case EXTENSION.nameConstraints: {
        const members = children(value);
        const permitted = members.find((m) => m.tag === 0xa0);
        const excluded = members.find((m) => m.tag === 0xa1);
        facts.nameConstraints = { permitted: permitted ? subtrees(permitted) : [], excluded: excluded ? subtrees(excluded) : [] };
        break;
      }
      default:
        break;
    }
  }
  return facts;
}
