/**
 * `Signature-Input` and `Signature` as signers write them for one signature (RFC 9421 §4.1, §4.2;
 * our own `signRequest` among them): a single dictionary member in RFC 8941's canonical
 * serialisation, `label=("@method" … "signature-key");created=N` and `label=:<base64>:`. Both
 * fields change with every request, so nothing here is remembered: each is read with one
 * anchored pattern instead of the general parser, which is several times slower at it.
 *
 * Only a field spelt exactly that way is read here, and the result is what the general parser
 * makes of the same text (the RFC 8941 §4.2 algorithms on a canonical input); any other spelling
 * (whitespace, several members, parameters on a component, decimals, tokens, byte sequences
 * without padding) returns undefined, and the caller parses it in full, with its errors.
 */
import type { BareItem, Dictionary, InnerList, Item, Parameters } from 'structured-headers';

/** RFC 8941 §3.1.2 key. */
const KEY = '[a-z*][a-z0-9_\\-.*]*';
/** An sf-string item without escapes and without spaces: a component name. */
const NAME = '"[\\x21\\x23-\\x5b\\x5d-\\x7e]+"';
/** `label=(…)` and the parameters after it (read by `PARAM`). */
const INPUT = new RegExp(`^(${KEY})=\\(((?:${NAME}(?: ${NAME})*)?)\\)((?:;${KEY}=(?:-?\\d{1,15}|"[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]*"))*)$`);
/** One parameter: an integer (§3.3.1, at most 15 digits) or a string needing no escapes (§3.3.3). */
const PARAM = new RegExp(`;(${KEY})=(?:(-?\\d{1,15})|"([\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]*)")`, 'g');
/** `label=:<base64>:` (§3.3.5) with the padding written out. */
const SIGNATURE = new RegExp(`^(${KEY})=:([A-Za-z0-9+/]*={0,2}):$`);

/** The one-member `Signature-Input` dictionary, or undefined when `header` is not in the form above. */
export function oneSignatureInput(header: string): Dictionary | undefined {
  const match = INPUT.exec(header);
  if (match === null) return undefined;
  const [, label, names, paramText] = match as unknown as [string, string, string, string];
  const items: Item[] = names === '' ? [] : names.split(' ').map((quoted) => [quoted.slice(1, -1), new Map()]);
  // §4.2.3.2: a parameter given twice keeps its first position and its last value, as Map.set does.
  const params: Parameters = new Map<string, BareItem>();
  // `exec` on the one pattern, not `matchAll`, which copies the pattern on every call.
  PARAM.lastIndex = 0;
  for (let param = PARAM.exec(paramText); param !== null; param = PARAM.exec(paramText)) {
    const [, key, integer, text] = param as unknown as [string, string, string | undefined, string | undefined];
    params.set(key, integer !== undefined ? Number(integer) : text as string);
  }
  const member: InnerList = [items, params];
  return new Map([[label, member]]);
}

/**
 * The one member of `Signature`, its label and bytes, or undefined when `header` is not in the form
 * above. The bytes come as a Buffer, not the parser's ArrayBuffer: allocating one costs more than
 * decoding the signature.
 */
export function oneSignature(header: string): { readonly label: string; readonly bytes: Buffer } | undefined {
  const match = SIGNATURE.exec(header);
  if (match === null) return undefined;
  const [, label, text] = match as unknown as [string, string, string];
  // `=` only as padding, the length a multiple of 4: what §4.2.7's base64 decoding accepts alike.
  if (text.length % 4 !== 0) return undefined;
  return { label, bytes: Buffer.from(text, 'base64') };
}
