/**
 * `npm run deploy [-- --dry-run] [-t s.yaml]`: builds, then deploys with `s` only the functions whose
 * source is configured (plus push and full-sync), and applies the SLS index when the aliyun CLI is
 * there. Variables come from the environment and the `.env` beside s.yaml, as `s` reads them (the
 * environment wins). `--dry-run` prints the plan and runs nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { parse } from 'yaml';
import { type DeployPlan, deployPlan, formatCommand } from './plan';
import { formatFc3Problem, isFc3, loadFc3Schema, renderSYaml, validateFc3Resources } from './sYaml';

const repoRoot = path.resolve(__dirname, '..', '..');
const USAGE = 'usage: npm run deploy [-- --dry-run] [-t <s.yaml>]';

function readArgs(argv: string[]): { dryRun: boolean; sYamlPath: string } {
  let dryRun = false;
  let sYamlPath = path.join(repoRoot, 's.yaml');
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--dry-run') dryRun = true;
    else if ((arg === '-t' || arg === '--template') && argv[i + 1]) sYamlPath = path.resolve(argv[++i]!);
    else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  return { dryRun, sYamlPath };
}

/** `s` loads the .env beside s.yaml with dotenv, which never overrides a variable already set. */
function environmentAsSReadsIt(sYamlPath: string): NodeJS.ProcessEnv {
  const file = path.join(path.dirname(sYamlPath), '.env');
  const fromFile = existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {};
  return { ...fromFile, ...process.env };
}

function fc3Resources(sYamlPath: string): string[] {
  const spec = parse(readFileSync(sYamlPath, 'utf8'), { merge: true }) as { resources?: Record<string, { component?: string }> };
  return Object.entries(spec.resources ?? {}).filter(([, r]) => isFc3(r.component ?? '')).map(([name]) => name);
}

function onPath(command: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '').split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, command)));
}

function printPlan(plan: DeployPlan): void {
  console.log(`deploy: ${plan.deploy.join(', ')}`);
  for (const s of plan.skipped) console.log(`skip: ${s.name}: ${s.why}`);
  for (const note of plan.notes) console.log(`note: ${note}`);
  console.log('commands:');
  for (const argv of plan.commands) console.log(`  ${formatCommand(argv)}`);
}

/** The offline `s verify` first: a missing variable stops the deploy before anything went out. */
async function verify(sYamlPath: string, env: NodeJS.ProcessEnv): Promise<void> {
  const spec = await renderSYaml({ sYamlPath, env, includeDotEnv: true });
  const problems = validateFc3Resources(spec, loadFc3Schema());
  if (problems.length) throw new Error(`s.yaml does not pass the fc3 schema:\n${problems.map(formatFc3Problem).join('\n')}`);
}

function run(argv: string[], env: NodeJS.ProcessEnv): { status: number; output: string } {
  const [command, ...args] = argv;
  // The project's own `s` (pinned in devDependencies), not whichever one is on PATH.
  const executable = command === 's' ? path.join(repoRoot, 'node_modules', '.bin', 's') : command!;
  // The index step's output is read (IndexAlreadyExist); every other step talks to the terminal.
  const capture = command === 'aliyun';
  const result = spawnSync(executable, args, { cwd: repoRoot, env, stdio: capture ? 'pipe' : 'inherit', encoding: 'utf8' });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (capture) process.stdout.write(output);
  return { status: result.status ?? 1, output };
}

async function main(): Promise<void> {
  const { dryRun, sYamlPath } = readArgs(process.argv.slice(2));
  const env = environmentAsSReadsIt(sYamlPath);
  const shown = path.relative(repoRoot, sYamlPath);
  const template = shown.startsWith('..') ? sYamlPath : shown;
  const plan = deployPlan(env, { functions: fc3Resources(sYamlPath), sYamlPath: template, aliyunCli: onPath('aliyun', env) });
  printPlan(plan);
  if (dryRun) return;
  await verify(sYamlPath, env);
  for (const argv of plan.commands) {
    console.log(`\n$ ${formatCommand(argv)}`);
    let { status, output } = run(argv, env);
    // CreateIndex refuses a logstore that has one: replace it instead.
    if (status !== 0 && argv[2] === 'create-index' && output.includes('IndexAlreadyExist')) {
      ({ status } = run(argv.map((a) => (a === 'create-index' ? 'update-index' : a)), env));
    }
    if (status !== 0) throw new Error(`stopped: ${argv.slice(0, 3).join(' ')} exited with ${status}`);
  }
  console.log(`\ndeployed: ${plan.deploy.join(', ')}${plan.skipped.length ? `; skipped: ${plan.skipped.map((s) => s.name).join(', ')}` : ''}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
