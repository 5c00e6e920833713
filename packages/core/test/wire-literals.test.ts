/**
 * STYLE-ANCHORS "What we take" 2: profile names live in `packages/core/src/profile/` only. This
 * scans every `packages/* /src/**\/*.ts` file outside that folder for runtime string literals
 * that spell an AAuth wire name of either profile (header names, `typ` values, metadata document
 * names, challenge and requirement parameters), so neither profile's names leak into code.
 *
 * What counts: string literals, no-substitution templates and template text that equal a wire
 * name (header names compared case-insensitively, as HTTP does). What does not: comments,
 * type-level literals (`'aauth-agent.json'` in an overload or union type emits nothing at runtime
 * and is checked against the profile by the compiler), property names of type declarations
 * (the shape of `SignedHeaders`), module specifiers, prose that merely mentions a name inside a
 * longer message, and the `field` member of an error's `detail` (a diagnostic naming the header
 * concerned, never read from or written to the wire). A line may opt out with a trailing `// wire-literal-ok: <reason>` when the
 * string is not a wire name at all (a property called `aauth` on `req`, say).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';
import { AAUTH_CURRENT, PROFILE } from '@aauth-ts/core';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const PACKAGES = join(ROOT, 'packages');

/** Header names: matched case-insensitively (RFC 9110 §5.1). Generic HTTP headers are not AAuth names. */
const HEADER_NAMES = [
  PROFILE.headers.challenge, PROFILE.headers.signatureKey, PROFILE.headers.signature, PROFILE.headers.signatureInput, PROFILE.headers.contentDigest,
  AAUTH_CURRENT.headers.requirement, AAUTH_CURRENT.headers.access, AAUTH_CURRENT.headers.capabilities, AAUTH_CURRENT.headers.signatureError,
  AAUTH_CURRENT.headers.acceptSignatureScheme, AAUTH_CURRENT.headers.acceptSignatureAlg,
];
/** Other wire names: matched exactly. */
const EXACT_NAMES: readonly string[] = [
  ...Object.values(PROFILE.typ),
  ...Object.values(PROFILE.wellKnown),
  ...Object.values(AAUTH_CURRENT.typ),
  ...Object.values(AAUTH_CURRENT.wellKnown),
  AAUTH_CURRENT.requirement.params.resourceToken,
  AAUTH_CURRENT.problemContentType,
  PROFILE.challenge.params.resourceToken,
  PROFILE.challenge.params.authServer,
];

function isWireName(text: string): boolean {
  const lower = text.toLowerCase();
  return HEADER_NAMES.some((name) => name.toLowerCase() === lower) || EXACT_NAMES.includes(text);
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function scanned(): string[] {
  const files: string[] = [];
  for (const pkg of readdirSync(PACKAGES)) {
    const src = join(PACKAGES, pkg, 'src');
    try {
      if (!statSync(src).isDirectory()) continue;
    } catch {
      continue;
    }
    files.push(...sourceFiles(src).filter((f) => !f.startsWith(join(PACKAGES, 'core', 'src', 'profile') + sep)));
  }
  return files;
}

/** `{ field: 'signature-key' }` in an ErrorDetail: a diagnostic label. */
function isDetailField(node: ts.Node): boolean {
  const parent = node.parent;
  return ts.isPropertyAssignment(parent) && parent.initializer === node && ts.isIdentifier(parent.name) && parent.name.text === 'field';
}

function inTypePosition(node: ts.Node): boolean {
  for (let p: ts.Node | undefined = node.parent; p; p = p.parent) {
    if (ts.isLiteralTypeNode(p) || ts.isTypeNode(p)) return true;
    if (ts.isPropertySignature(p) && p.name === node) return true;
    if (ts.isStatement(p) || ts.isExpression(p) && !ts.isStringLiteral(p)) return false;
  }
  return false;
}

export interface Violation { readonly file: string; readonly line: number; readonly text: string }

export function findViolations(path: string, source = readFileSync(path, 'utf8')): Violation[] {
  const file = ts.createSourceFile(path, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const lines = source.split('\n');
  const found: Violation[] = [];
  const visit = (node: ts.Node): void => {
    let text: string | undefined;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) text = node.text;
    else if (ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) text = node.text;
    if (text !== undefined && isWireName(text)
      && !ts.isImportDeclaration(node.parent) && !ts.isExportDeclaration(node.parent) && !ts.isExternalModuleReference(node.parent)
      && !inTypePosition(node) && !isDetailField(node)) {
      const line = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
      if (!/\/\/\s*wire-literal-ok:/.test(lines[line] ?? '')) found.push({ file: relative(ROOT, path), line: line + 1, text });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe('wire literals live in the profile only', () => {
  it('the scanner finds what it should and ignores what it should', () => {
    const sample = [
      "/** The `Signature-Key` header and 'agent+jwt' in a comment are fine. */",
      "type Doc = 'aauth-agent.json' | 'aauth-issuer.json';",
      "interface SignedHeaders { readonly 'signature-key': string }",
      "import x from 'auth-server';",
      "const message = 'Signature-Key has no member for the label';",
      "const a = headers['signature-key'];", // 6: violation (case-insensitive header name)
      "const b = { typ: 'agent+jwt' };", // 7: violation
      'const c = `aauth-resource.json`;', // 8: violation
      "const d = get(h, 'AAuth');", // 9: violation
      "const e = req['aauth']; // wire-literal-ok: the request property, not the header",
      "const f = 'Signature';", // 11: violation
      "throw new SignatureError('invalid_signature', 'x', { field: 'signature-key' });",
    ].join('\n');
    expect(findViolations('sample.ts', sample).map((v) => [v.line, v.text])).toEqual([
      [6, 'signature-key'], [7, 'agent+jwt'], [8, 'aauth-resource.json'], [9, 'AAuth'], [11, 'Signature'],
    ]);
  });

  it('no package source outside packages/core/src/profile/ spells out a wire name', () => {
    const violations = scanned().flatMap((path) => findViolations(path));
    const report = violations.map((v) => `${v.file}:${v.line} ${JSON.stringify(v.text)} (use PROFILE)`);
    expect(report).toEqual([]);
  });
});
