/**
 * docker-compose.yml as the Compose CLI reads it: `docker compose config` for each profile, with
 * the CLI that scripts/compose-config.sh builds from the Go module proxy and caches in .cache/.
 * No Docker engine is needed. Skipped, with a message, where that CLI has not been built (it needs
 * Go; `.ci/run` builds it before `npm test`).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../', import.meta.url));
const script = readFileSync(join(root, 'scripts/compose-config.sh'), 'utf8');
const version = /^version=(\S+)$/m.exec(script)?.[1] ?? '';
const profiles = /^profiles=\(([^)]*)\)$/m.exec(script)?.[1]?.split(/\s+/) ?? [];
const cli = join(root, '.cache/compose', version, 'docker-compose');
const built = existsSync(cli);

const maybe = built ? describe : describe.skip;
if (!built) console.warn(`docker compose config SKIPPED: the Compose CLI ${version} is not built (${cli}); run \`bash scripts/compose-config.sh\` where Go is installed`);

maybe(`docker compose config (Compose ${version})`, () => {
  it('checks both profiles of docker-compose.yml, the default one (.env) and the embedded one', () => {
    expect(profiles).toEqual(['keycloak', 'embedded']);
    expect(readFileSync(join(root, '.env'), 'utf8')).toMatch(/^COMPOSE_PROFILES=keycloak$/m);
  });

  it('scripts/compose-config.sh accepts every profile', async () => {
    const { stdout } = await run('bash', [join(root, 'scripts/compose-config.sh')], { cwd: root });
    for (const profile of profiles) expect(stdout).toContain(`profile ${profile}: valid`);
  });

  it.each(profiles)('profile %s: the services Compose would run', async (profile) => {
    const { stdout } = await run(cli, ['--project-directory', root, '-f', join(root, 'docker-compose.yml'), 'config', '--services'], { cwd: root, env: { ...process.env, COMPOSE_PROFILES: profile } });
    const services = stdout.trim().split('\n').sort();
    const authServer = profile === 'keycloak' ? 'keycloak' : 'auth-server';
    expect(services).toEqual(['backend', 'demo-network', 'market-analysis-agent', 'supply-chain-agent', authServer].sort());
  });

  it('the CLI refuses a file Compose cannot read (it validates, not only parses)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aauth-compose-'));
    try {
      writeFileSync(join(dir, 'docker-compose.yml'), 'services:\n  web:\n    image: x\n    ports: 8080\n');
      const result = await run(cli, ['-f', join(dir, 'docker-compose.yml'), 'config', '--quiet'], { cwd: dir }).then(() => 'accepted', (e: { stderr: string }) => e.stderr);
      expect(result).toMatch(/ports/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
