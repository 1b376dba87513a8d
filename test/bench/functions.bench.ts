/**
 * The functions as FC loads them: bundle size, and cold start (a fresh `node` requiring the
 * bundle) against a bare `node -e ""` measured in the same run. Then the pipeline's latency on the
 * local stack: a change published through FC's async invoke API until RAM (the emulator) shows it.
 * Usage: tsx test/bench/functions.bench.ts [latencySamples]
 */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FcAsyncQueue } from '../../functions/lib/queue/FcAsyncQueue';
import { buildFunctions } from '../../infra/build';
import { startLocalStack } from '../../infra/local/stack';

const samples = Number(process.argv[2] ?? 50);
const SAMPLE = path.resolve(__dirname, '../../infra/sample/directory.json');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

/** Wall time of one fresh `node` running `args`. */
function timeNode(args: string[], env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  execFileSync(process.execPath, args, { env: { PATH: process.env.PATH, ...env }, stdio: 'ignore' });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/**
 * A bundle's load against bare `node -e ""`, alternated run by run, so a busy machine (other
 * processes on 2 cores) slows both sides of the ratio alike instead of whichever came later.
 */
function timeLoad(file: string, env: NodeJS.ProcessEnv, runs = 21): { bare: number; load: number } {
  const bare: number[] = [];
  const load: number[] = [];
  for (let i = 0; i < runs; i++) {
    bare.push(timeNode(['-e', ''], env));
    load.push(timeNode(['-e', `require(${JSON.stringify(file)})`], env));
  }
  return { bare: median(bare), load: median(load) };
}

/** The goal of issue 13: each bundle at most 400 KiB, its module load at most twice a bare node start. */
const GOAL = { maxKiB: 400, maxRatio: 2 } as const;

async function main() {
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-fn-'));
  const directory = path.join(dir, 'directory.json');
  await copyFile(SAMPLE, directory);
  const built = await buildFunctions({ outdir: path.join(dir, 'dist') });
  // Every function's configuration, so each cold start gets past its checks (values are local dummies).
  const aesKey = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
  const env = {
    DIRECTORY_FILE: directory, STATE_DIR: path.join(dir, 'state'), RAM_OAUTH_CLIENT_ID: 'x', RAM_OAUTH_CLIENT_SECRET: 'y',
    DINGTALK_TOKEN: 't', DINGTALK_AES_KEY: aesKey, DINGTALK_APP_KEY: 'ding', DINGTALK_APP_SECRET: 's',
    LARK_VERIFICATION_TOKEN: 'v', LARK_APP_ID: 'cli', LARK_APP_SECRET: 's',
    WECOM_CORP_ID: 'ww1', WECOM_TOKEN: 't', WECOM_AES_KEY: aesKey, WECOM_SECRET: 's',
    OKTA_EVENT_HOOK_SECRET: 'okta-hook-secret-0123456789',
    AD_URL: 'ldaps://dc1.example.test', AD_BIND_DN: 'CN=svc,DC=example,DC=test', AD_BIND_PASSWORD: 'p', AD_BASE_DN: 'DC=example,DC=test',
    LDAP_URL: 'ldaps://ldap.example.test', LDAP_BIND_DN: 'cn=svc,dc=example,dc=test', LDAP_BIND_PASSWORD: 'p', LDAP_BASE_DN: 'dc=example,dc=test',
    ENTRA_TENANT_ID: '11111111-2222-3333-4444-555555555555', ENTRA_CLIENT_ID: '66666666-7777-8888-9999-000000000000',
    ENTRA_CLIENT_SECRET: 's', ENTRA_CLIENT_STATE: 'entra-client-state-0123456789',
    OKTA_ORG_URL: 'https://example.okta.com', OKTA_API_TOKEN: 't',
  };
  const bares: number[] = [];
  const functions = built.map((f) => {
    const { bare, load } = timeLoad(f.file, env);
    bares.push(bare);
    const kib = Math.round(f.bytes / 1024);
    const ratioToBare = +(load / bare).toFixed(2);
    return {
      name: f.name, kib, coldStartMs: Math.round(load), overBareNodeMs: Math.round(load - bare), ratioToBare,
      withinGoal: kib <= GOAL.maxKiB && ratioToBare <= GOAL.maxRatio,
    };
  });
  const bare = median(bares);

  const stack = await startLocalStack({
    // Back-to-back changes would otherwise measure the client's own RAM rate limit (20 req/s by
    // default: two calls per changed user, so ~100 ms each once the burst is spent), not the pipeline.
    env: { ...process.env, STATE_DIR: path.join(dir, 'stack'), DIRECTORY_FILE: directory, RAM_OAUTH_CLIENT_ID: '', RAM_RATE_LIMIT: '1000' },
    port: 0, emulatorPort: 0, outdir: path.join(dir, 'stack-dist'), pollMs: 5,
  });
  await stack.fullSync({ dryRun: false });
  const queue = new FcAsyncQueue({ functionName: 'push', endpoint: () => stack.url, credentials: () => stack.credentials });
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const doc = JSON.parse(await readFile(directory, 'utf8'));
    const wanted = `Alice Sample ${i}`;
    doc.people[0].displayName = wanted;
    await writeFile(directory, JSON.stringify(doc));
    const started = process.hrtime.bigint();
    await queue.publish([{ source: 'file', kind: 'user', sourceId: 'e1001', reason: 'bench' }]);
    while (stack.emulator!.state.userByName('alice.wang')?.displayName !== wanted) await new Promise((r) => setTimeout(r, 1));
    latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  await stack.stop();
  await rm(dir, { recursive: true, force: true });
  console.log(JSON.stringify({
    bench: 'functions', bareNodeMs: Math.round(bare), goal: GOAL, functions,
    publishToRam: { samples, p50Ms: +percentile(latencies, 50).toFixed(1), p99Ms: +percentile(latencies, 99).toFixed(1) },
  }));
}

main().then(() => process.exit(0), (error) => { console.error(error); process.exit(1); });
