/**
 * Every option of `aauth()`, `withAAuth`, `AAuthClient`, `AgentServer` and `createAuthServer` has a
 * row in its README's options table, and every row names an option that exists: the option names
 * are read from the types themselves (TypeScript's compiler API, inherited members included).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('../', import.meta.url));

interface Table {
  readonly readme: string;
  readonly heading: string;
  /** [source file, exported interface], whose members together are the table's rows. */
  readonly types: readonly (readonly [string, string])[];
  /** Rows that are not members of those types (an option whose type is a union, say). */
  readonly extra?: readonly string[];
}

const TABLES: readonly Table[] = [
  { readme: 'packages/resource/README.md', heading: '## Options', types: [['packages/resource/src/options.ts', 'ResourceOptions'], ['packages/resource/src/express/middleware.ts', 'ExpressOptions']] },
  { readme: 'packages/agent/README.md', heading: '## Options (`AAuthClient`)', types: [['packages/agent/src/client/aauth-client.ts', 'AAuthClientOptions']] },
  // withAAuth(instance, options): AAuthClient's options or `{ client }`, plus `config.aauth` per request.
  { readme: 'packages/agent/README.md', heading: '## Options (`withAAuth`)', types: [['packages/agent/src/axios/with-aauth.ts', 'AAuthAxiosOptions']], extra: ['client'] },
  { readme: 'packages/agent/README.md', heading: '## Options (`AgentServer`)', types: [['packages/agent/src/identity/agent-server.ts', 'AgentServerOptions']] },
  { readme: 'packages/auth-server/README.md', heading: '## Options (`createAuthServer`)', types: [['packages/auth-server/src/server.ts', 'AuthServerOptions']] },
];

const program = ts.createProgram([...new Set(TABLES.flatMap((t) => t.types.map(([file]) => join(root, file))))], {
  target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, noEmit: true, types: ['node'],
});
const checker = program.getTypeChecker();

function members(file: string, name: string): string[] {
  const source = program.getSourceFile(join(root, file));
  const declaration = source?.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name);
  if (!declaration) throw new Error(`${name} is not an interface of ${file}`);
  return checker.getTypeAtLocation(declaration).getProperties().map((p) => p.name);
}

/** The option names of a section's tables: backticked names in each row's first cell. */
function rows(readme: string, heading: string): string[] {
  const text = readFileSync(join(root, readme), 'utf8');
  const start = text.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`${readme} has no section "${heading}"`);
  const end = text.indexOf('\n## ', start + heading.length + 2);
  const section = text.slice(start, end < 0 ? undefined : end);
  return section.split('\n')
    .filter((l) => l.startsWith('| `'))
    .flatMap((l) => [...(l.split(' | ')[0] ?? '').matchAll(/`([^`]+)`/g)].map((m) => (m[1] ?? '').replace(/^aauth\./, '')));
}

it.each(TABLES.map((t) => [`${t.readme} ${t.heading}`, t] as const))('%s lists every option, and only those', (_title, table) => {
  const expected = [...table.types.flatMap(([file, name]) => members(file, name)), ...(table.extra ?? [])].sort();
  expect(rows(table.readme, table.heading).sort()).toEqual(expected);
});
