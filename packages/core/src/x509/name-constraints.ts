/**
 * RFC 5280 §4.2.1.10 name constraints, for the two name forms an AAuth agent certificate carries:
 * dNSName and uniformResourceIdentifier (matched on the URI's host). A constraint of any other
 * form is not evaluated, so a chain that carries one is refused rather than trusted unchecked.
 */
import { GENERAL_NAME, type GeneralName, type NameConstraints } from './certificate.js';

export type NameConstraintVerdict = 'ok' | 'not_permitted' | 'excluded' | 'unsupported_form';

/** dNSName: the host itself or any subdomain of the constraint. */
function dnsWithin(host: string, constraint: string): boolean {
  const h = host.toLowerCase();
  const c = constraint.toLowerCase().replace(/^\./, '');
  return h === c || h.endsWith(`.${c}`);
}

/** URI: a leading period means any subdomain (not the host itself); otherwise exactly that host. */
function uriHostWithin(host: string, constraint: string): boolean {
  const h = host.toLowerCase();
  const c = constraint.toLowerCase();
  return c.startsWith('.') ? h.endsWith(c) : h === c;
}

function uriHost(uri: string): string | undefined {
  try {
    const host = new URL(uri).hostname;
    return host.length > 0 ? host : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `name` falls in subtree `base`; undefined when the forms differ (the subtree does not apply). */
function within(name: GeneralName, base: GeneralName): boolean | undefined {
  if (name.text === undefined || base.text === undefined) return undefined;
  if (name.tag === GENERAL_NAME.dNSName && base.tag === GENERAL_NAME.dNSName) return dnsWithin(name.text, base.text);
  if (name.tag === GENERAL_NAME.uniformResourceIdentifier && base.tag === GENERAL_NAME.uniformResourceIdentifier) {
    const host = uriHost(name.text);
    return host === undefined ? false : uriHostWithin(host, base.text);
  }
  return undefined;
}

const EVALUATED = new Set<number>([GENERAL_NAME.dNSName, GENERAL_NAME.uniformResourceIdentifier]);

/** Check a certificate's subjectAltNames against a CA's name constraints. */
export function checkNameConstraints(names: readonly GeneralName[], constraints: NameConstraints): NameConstraintVerdict {
  if ([...constraints.permitted, ...constraints.excluded].some((c) => !EVALUATED.has(c.tag))) return 'unsupported_form';
  for (const name of names) {
    if (constraints.excluded.some((c) => within(name, c) === true)) return 'excluded';
    const applicable = constraints.permitted.filter((c) => c.tag === name.tag);
    if (applicable.length > 0 && !applicable.some((c) => within(name, c) === true)) return 'not_permitted';
  }
  return 'ok';
}
