/**
 * The git source and the `validate` / `reconcile` commands against a real temporary git
 * repository: init, commit, change, commit; the plan shows exactly the change, the user's
 * working copy is never touched, and the CLI exit codes follow terraform's.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDesired } from '../../src/manifests/load.js';
import { loadApplied } from '../../src/plan/apply.js';
import { plan } from '../../src/plan/plan.js';
import { reconcile } from '../../src/cli/reconcile.js';
import { DirectorySource } from '../../src/source/directory.js';
import { GitSource } from '../../src/source/git.js';
import { ZookeeperStore } from '../../src/store/zookeeper-store.js';
import { FileStore } from '../../src/store/file-store.js';
import { jobYaml } from '../fixtures/manifests/index.js';
import { startZooKeeper, type TestZooKeeper } from '../support/zookeeper.js';

// The CLI from its TypeScript sources (like the other spawning tests), so the test never
// runs a stale dist/; the compiled bin is exercised by bench/cli.bench.ts and the README steps.
const kairos = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
// tsx by absolute URL: the CLI runs in temporary directories where `tsx` does not resolve.
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
};

let tmp: string;
let repo: string;
let cache: string;

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: repo, env: gitEnv, encoding: 'utf8' }).trim();
}

async function commit(files: Record<string, string | null>, message: string): Promise<string> {
  for (const [path, text] of Object.entries(files)) {
    if (text === null) git('rm', '-q', path);
    else {
      await mkdir(join(repo, path, '..'), { recursive: true });
      await writeFile(join(repo, path), text);
      git('add', path);
    }
  }
  git('commit', '-q', '-m', message);
  return git('rev-parse', 'HEAD');
}

/** Runs the real CLI in `cwd`; resolves with exit code and output, never rejects. */
function cli(cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', tsx, kairos, ...args], { cwd, env: gitEnv }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'kairos-git-'));
  repo = join(tmp, 'repo');
  cache = join(tmp, 'cache');
  await mkdir(repo);
  git('init', '-q', '-b', 'main');
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('GitSource against a real repository', () => {
  let c1: string;
  let c2: string;

  it('reads the manifests at a commit through a cache clone and records the commit', async () => {
    c1 = await commit(
      {
        'jobs/a.yaml': jobYaml('alpha', 'schedule: { cron: "0 2 * * *" }\ncommand: { shell: "echo a" }'),
        'jobs/b.yaml': jobYaml('beta'),
        'README.md': '# not a manifest',
      },
      'first',
    );
    const snap = await new GitSource({ url: repo, ref: 'main', cacheRoot: cache }).snapshot();
    expect(snap.revision).toBe(c1);
    expect(snap.commit).toBe(c1);
    expect(snap.files.map((f) => f.path)).toEqual(['jobs/a.yaml', 'jobs/b.yaml']);
    const d = loadDesired(snap);
    expect(d.resources[0].source).toEqual({ file: 'jobs/a.yaml', line: 1, commit: c1 });
  });

  it('plans exactly the change between two commits', async () => {
    c2 = await commit({ 'jobs/a.yaml': jobYaml('alpha', 'schedule: { cron: "0 3 * * *" }\ncommand: { shell: "echo a" }') }, 'second');
    const src = (ref: string) => new GitSource({ url: repo, ref, cacheRoot: cache });
    const base = loadDesired(await src(c1).snapshot());
    const head = loadDesired(await src('main').snapshot());
    expect(head.revision).toBe(c2);
    const applied = { revision: base.revision, resources: base.resources.map((resource) => ({ resource, revision: c1, appliedAt: 0 })), versions: {} };
    const p = plan(head, applied, { now: Date.parse('2026-01-01T00:00:00Z') });
    expect(p.entries.map((e) => [e.action, e.name])).toEqual([
      ['update', 'alpha'],
      ['unchanged', 'beta'],
    ]);
    expect(p.entries[0].changes).toEqual([{ path: 'spec.schedule.expression', old: '0 2 * * *', new: '0 3 * * *' }]);
  });

  it('never touches the working copy, even with uncommitted edits', async () => {
    await writeFile(join(repo, 'jobs/b.yaml'), 'uncommitted: edit\n');
    const snap = await new GitSource({ url: repo, ref: 'main', cacheRoot: cache }).snapshot();
    expect(snap.files.find((f) => f.path === 'jobs/b.yaml')?.content.toString()).toBe(jobYaml('beta'));
    expect(await readFile(join(repo, 'jobs/b.yaml'), 'utf8')).toBe('uncommitted: edit\n');
    expect(git('status', '--porcelain')).toBe('M jobs/b.yaml');
    git('checkout', '-q', '--', 'jobs/b.yaml');
  });

  it('follows the repository HEAD branch when no ref is given, across fetches', async () => {
    const src = new GitSource({ url: repo, cacheRoot: cache });
    expect((await src.snapshot()).revision).toBe(c2);
    expect((await src.snapshot()).revision).toBe(c2);
  });

  it('concurrent snapshots through one cache clone each read their own commit, in-process and from two processes', async () => {
    const shared = join(tmp, 'cache-shared');
    const refs = [c1, 'main', c1, 'main'];
    const snaps = await Promise.all(refs.map((ref) => new GitSource({ url: repo, ref, cacheRoot: shared }).snapshot()));
    expect(snaps.map((x) => x.revision)).toEqual([c1, c2, c1, c2]);
    const alpha = (x: (typeof snaps)[number]) => x.files.find((f) => f.path === 'jobs/a.yaml')?.content.toString();
    expect(snaps.map((x) => alpha(x)?.includes('0 2 * * *'))).toEqual([true, false, true, false]);
    const cwd = join(tmp, 'two-processes');
    await mkdir(cwd);
    const [a, b] = await Promise.all([cli(cwd, 'validate', '--source', repo, '--ref', c1), cli(cwd, 'validate', '--source', repo, '--ref', 'main')]);
    expect([a.code, a.stderr, b.code, b.stderr]).toEqual([0, '', 0, '']);
    expect(a.stdout).toContain(` at ${c1}`);
    expect(b.stdout).toContain(` at ${c2}`);
  });

  it('reads a subdirectory of a working copy at a ref (e.g. --source examples --against main)', async () => {
    const snap = await new GitSource({ url: join(repo, 'jobs'), ref: c1, cacheRoot: cache }).snapshot();
    expect(snap.revision).toBe(c1);
    expect(snap.files.map((f) => f.path)).toEqual(['a.yaml', 'b.yaml']);
    await expect(new GitSource({ url: join(repo, 'nope'), ref: c1, cacheRoot: cache }).snapshot()).rejects.toMatchObject({ code: 'E_SOURCE' });
  });

  it('fails with E_SOURCE for a ref that does not exist', async () => {
    await expect(new GitSource({ url: repo, ref: 'no-such-branch', cacheRoot: cache }).snapshot()).rejects.toMatchObject({ code: 'E_SOURCE' });
  });

  it('refuses a committed symlink that escapes the repository', async () => {
    const { symlink } = await import('node:fs/promises');
    await symlink('/etc/hostname', join(repo, 'evil.yaml'));
    git('add', 'evil.yaml');
    git('commit', '-q', '-m', 'evil');
    const snap = await new GitSource({ url: repo, ref: 'main', cacheRoot: cache }).snapshot();
    expect(snap.files.map((f) => f.path)).not.toContain('evil.yaml');
    expect(snap.problems.map((p) => [p.file, p.line, p.column])).toEqual([['evil.yaml', 1, 1]]);
    expect(snap.problems[0].message).toMatch(/outside the source root/);
    git('rm', '-q', 'evil.yaml');
    git('commit', '-q', '-m', 'remove evil');
  });
});

describe('kairos validate / reconcile (spawned CLI)', () => {
  it('validate exits 0 with a summary, and 1 with every problem and no stack trace', async () => {
    const ok = await cli(tmp, 'validate', '--source', repo);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^ok: 2 Jobs, 0 DAGs in dir:.* at sha256:[0-9a-f]{16}\n$/);
    const bad = join(tmp, 'bad');
    await mkdir(bad);
    await writeFile(join(bad, 'x.yaml'), jobYaml('x', 'shedule: { cron: "* * * * *" }\ncommand: { shell: x }\nresources: { cpus: -1 }'));
    const res = await cli(tmp, 'validate', '--source', bad);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      'bad/x.yaml:6:3: spec.shedule: unknown field "shedule" (did you mean "schedule"?)\n' + 'bad/x.yaml:8:22: spec.resources.cpus: must be > 0, got -1\n',
    );
  });

  it('dry-run exits 2 with changes, apply records the commit, then dry-run at the same commit exits 0', async () => {
    const store = `file:${join(tmp, 'state.json')}`;
    const dry = await cli(tmp, 'reconcile', '--dry-run', '--source', repo, '--ref', 'main', '--store', store);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(2);
    expect(dry.stdout).toContain('+ Job alpha will be created');
    expect(dry.stdout).toContain('Plan: 2 to create, 0 to update, 0 to prune, 0 unchanged.');
    const apply = await cli(tmp, 'reconcile', '--source', repo, '--ref', 'main', '--store', store);
    expect(apply.code).toBe(0);
    const head = git('rev-parse', 'HEAD');
    expect(apply.stdout).toContain(`Applied revision ${head}.`);
    const fs = new FileStore(join(tmp, 'state.json'));
    expect((await loadApplied(fs)).revision).toBe(head);
    await fs.close();
    const again = await cli(tmp, 'reconcile', '--dry-run', '--source', repo, '--ref', 'main', '--store', store, '--output', 'json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).summary).toEqual({ create: 0, update: 0, prune: 0, pruneSkipped: 0, unchanged: 2 });
  });

  it('--against plans the head against another ref in markdown, without a store', async () => {
    const res = await cli(repo, 'reconcile', '--against', c1Of(), '--output', 'markdown');
    expect(res.stderr).toBe('');
    expect(res.code).toBe(2);
    expect(res.stdout).toContain('| `spec.schedule.expression` | `"0 2 * * *"` | `"0 3 * * *"` |');
    // c1 is an ancestor of HEAD, so the merge base is c1 itself.
    expect(res.stdout.split('\n')[2]).toMatch(new RegExp(`^Against the merge base of \`${c1Of()}\` and \`HEAD\` at \`${c1Of()}\` · `));
  });

  it('refuses a mass prune with exit 1 and a clear message', async () => {
    const store = `file:${join(tmp, 'state.json')}`;
    const empty = join(tmp, 'empty');
    await mkdir(empty);
    const res = await cli(tmp, 'reconcile', '--source', empty, '--store', store, '--prune');
    expect(res.code).toBe(1);
    expect(res.stderr).toBe('kairos: refusing to prune 2 of 2 applied resources (more than half); check the source and ref, or pass --allow-mass-prune if this is intended\n');
  });
});

describe('kairos reconcile --store zk:// (the HA store, real ZooKeeper)', () => {
  let zk: TestZooKeeper;
  beforeAll(async () => {
    zk = await startZooKeeper();
  }, 60_000);
  afterAll(async () => {
    await zk?.destroy();
  });

  it('plans against the state a controller applied in ZooKeeper; applying there is refused', async () => {
    const dir = join(tmp, 'zk-manifests');
    await mkdir(dir);
    await writeFile(join(dir, 'a.yaml'), jobYaml('a'));
    const url = zk.url('/kairos-cli');
    const store = await ZookeeperStore.open(url);
    try {
      const applied = await reconcile({ source: new DirectorySource(dir), store, dryRun: false, prune: false, allowMassPrune: false, output: 'text', color: false, now: 0 });
      expect(applied.applied).toBe(true);
    } finally {
      await store.close();
    }
    const same = await cli(tmp, 'reconcile', '--dry-run', '--source', dir, '--store', url);
    expect([same.code, same.stderr]).toEqual([0, '']);
    expect(same.stdout).toContain('No changes.');
    await writeFile(join(dir, 'b.yaml'), jobYaml('b'));
    const changed = await cli(tmp, 'reconcile', '--dry-run', '--source', dir, '--store', url);
    expect(changed.code).toBe(2);
    expect(changed.stdout).toContain('+ Job b will be created');
    const apply = await cli(tmp, 'reconcile', '--source', dir, '--store', url);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain('add --dry-run to plan against it');
  }, 60_000);
});

/** The first commit of the test repository. */
function c1Of(): string {
  return git('rev-list', '--max-parents=0', 'HEAD');
}
