/**
 * `npx tsx infra/deploy/verify.ts [s.yaml]`: the offline `s verify`. Renders s.yaml with the current
 * environment (and its .env) and checks every fc3 resource against the vendored schema, and the reconcile
 * timer's schedule as the local stack reads it. Exit 1 on a problem.
 */
import path from 'node:path';
import { formatFc3Problem, loadFc3Schema, reconcileProblems, renderSYaml, validateFc3Resources } from './sYaml';

async function main(): Promise<void> {
  const sYamlPath = path.resolve(process.argv[2] ?? path.join(__dirname, '..', '..', 's.yaml'));
  const spec = await renderSYaml({ sYamlPath, env: process.env, includeDotEnv: true });
  const problems = [...validateFc3Resources(spec, loadFc3Schema()), ...reconcileProblems(spec)];
  for (const name of Object.keys(spec.resources)) {
    const mine = problems.filter((p) => p.resource === name);
    console.log(mine.length ? mine.map(formatFc3Problem).join('\n') : `${name}: ok`);
  }
  // Not an error (empty means "the default" throughout s.yaml), but locally the same value turns it off.
  if (process.env.FULL_SYNC_SCHEDULE === '') console.log('note: FULL_SYNC_SCHEDULE is empty, which s reads as unset: full-sync reconciles daily at 03:00; set FULL_SYNC_SCHEDULE=off to turn it off');
  if (problems.length) process.exit(1);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
