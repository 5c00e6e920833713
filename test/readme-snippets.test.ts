/**
 * The TypeScript snippets of the packages' READMEs compile against the packages' published types.
 * Each ```ts block is type-checked as a module of its own (strict, NodeNext, as a user's project
 * would be). Snippets are excerpts: the names they take from the surrounding prose (`app`,
 * `session`, a key from your key store, …) are declared, with their types, in
 * test/fixtures/readme-snippets/context.d.ts.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('../', import.meta.url));
const READMES = ['packages/core/README.md', 'packages/resource/README.md', 'packages/agent/README.md', 'packages/auth-server/README.md', 'packages/store-redis/README.md', 'packages/mcp/README.md'];
const dir = join(root, '.tsbuild/readme-snippets');

interface Snippet { readonly readme: string; readonly line: number; readonly file: string }

function extract(): Snippet[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return READMES.flatMap((readme) => {
    const text = readFileSync(join(root, readme), 'utf8');
    return [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => {
      const line = text.slice(0, m.index).split('\n').length + 1;
      const file = join(dir, `${readme.replace(/[/.]/g, '_')}_${line}.ts`);
      // `export {}` makes every snippet a module: its names are its own, and top-level await works.
      writeFileSync(file, `${m[1] ?? ''}\nexport {};\n`);
      return { readme, line, file };
    });
  });
}

it('every ```ts snippet of the package READMEs type-checks', () => {
  const snippets = extract();
  expect(snippets.length).toBeGreaterThanOrEqual(10);
  const program = ts.createProgram([join(root, 'test/fixtures/readme-snippets/context.d.ts'), ...snippets.map((s) => s.file)], {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true, noEmit: true, types: ['node'], skipLibCheck: true, noUnusedLocals: false,
  });
  const problems = ts.getPreEmitDiagnostics(program).map((d) => {
    const snippet = snippets.find((s) => s.file === d.file?.fileName);
    const at = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : 0;
    const where = snippet ? `${snippet.readme}:${snippet.line + at}` : d.file?.fileName ?? '';
    return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  expect(problems).toEqual([]);
}, 60_000);
