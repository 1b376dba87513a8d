/**
 * Offline checks of `s.yaml`, the equivalent of `s verify` without the network: render it with the
 * real Serverless Devs CLI (`s preview`, which resolves vars, env, templates and extends), then
 * validate every fc3 resource's props against the vendored fc3 schema with the options `s verify` uses.
 *
 * @example
 * const spec = await renderSYaml({ sYamlPath: 's.yaml', env: process.env });
 * const problems = validateFc3Resources(spec, loadFc3Schema());
 * problems.map(formatFc3Problem); // ["push/props/memorySize: must be multiple of 64"]
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Ajv from 'ajv';
import { RECONCILE, scheduleProblems } from '../local/schedule';

const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '..', '..');

export const FC3_SCHEMA_PATH = path.join(__dirname, 'fc3-schema.json');
const DEFAULT_CLI = path.join(repoRoot, 'node_modules', '.bin', 's');

export interface RenderedResource {
  component: string;
  props: Record<string, unknown>;
}

/** `s preview -o json` output: the spec with every variable, template and extend resolved. */
export interface RenderedSpec {
  edition: string;
  name?: string;
  vars?: Record<string, unknown>;
  resources: Record<string, RenderedResource>;
}

export interface Fc3Problem {
  resource: string;
  /** JSON pointer inside the resource's props, '' for the props object itself. */
  path: string;
  message: string;
}

/** `s preview` refused the file: bad YAML, an unknown `${vars.x}`, a required `${env('X')}` unset. */
export class SYamlRenderError extends Error {
  override readonly name = 'SYamlRenderError';
}

export interface RenderOptions {
  sYamlPath: string;
  /** The whole environment the CLI sees (include PATH and HOME); nothing else is inherited. */
  env: NodeJS.ProcessEnv;
  /** Also copy the `.env` beside the file, which `s` would load (an operator's check, not a test's). */
  includeDotEnv?: boolean;
  /** The `s` executable; default the project's node_modules/.bin/s. */
  cli?: string;
}

/**
 * Renders a copy of the file in a temporary directory, so the CLI can write nothing beside the real
 * one and, unless asked, a developer's `.env` there (which `s` would load) cannot colour the result.
 */
export async function renderSYaml(options: RenderOptions): Promise<RenderedSpec> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 's-yaml-'));
  try {
    await copyFile(options.sYamlPath, path.join(dir, 's.yaml'));
    const dotEnv = path.join(path.dirname(options.sYamlPath), '.env');
    if (options.includeDotEnv && existsSync(dotEnv)) await copyFile(dotEnv, path.join(dir, '.env'));
    const output = path.join(dir, 'rendered.json');
    try {
      // --output-file: as root the CLI prints a WARN line on stdout, which would break the JSON.
      await run(options.cli ?? DEFAULT_CLI, ['preview', '-t', 's.yaml', '-o', 'json', '--output-file', output], {
        cwd: dir, env: options.env, timeout: 30_000,
      });
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string };
      throw new SYamlRenderError(`s preview rejected ${path.basename(options.sYamlPath)}: ${cliErrorMessage(`${e.stdout ?? ''}\n${e.stderr ?? ''}`)}`, { cause: error });
    }
    return JSON.parse(await readFile(output, 'utf8')) as RenderedSpec;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The "Error Message:" block of the CLI's report, without colours, log paths or banners. */
function cliErrorMessage(output: string): string {
  const plain = output.replace(/\u001b\[[0-9;]*m/g, '');
  const block = /Error Message:\s*\n([\s\S]*?)(?:\n\s*A complete log|\n\s*Env:|$)/.exec(plain)?.[1];
  const lines = (block ?? plain).split('\n').map((l) => l.trim()).filter((l) => l && !l.includes('[WARN]'));
  // The CLI echoes the offending expression, then names the error; the error line says it all.
  const errors = lines.filter((l) => /^\w*Error:/.test(l));
  return (errors.length ? errors : lines).join(' ') || 'no message';
}

/** `fc3` or a pinned `fc3@<version>`. */
export const isFc3 = (component: string): boolean => /^fc3(@|$)/.test(component);

export function loadFc3Schema(): object {
  return JSON.parse(readFileSync(FC3_SCHEMA_PATH, 'utf8')) as object;
}

/** Every fc3 resource's props against the schema, with `s verify`'s options: `new Ajv({ allErrors: true })`. */
export function validateFc3Resources(spec: RenderedSpec, schema: object): Fc3Problem[] {
  const validate = new Ajv({ allErrors: true }).compile(schema);
  const problems: Fc3Problem[] = [];
  for (const [resource, { component, props }] of Object.entries(spec.resources ?? {})) {
    if (!isFc3(component) || validate(props)) continue;
    for (const e of validate.errors ?? []) {
      const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues;
      problems.push({ resource, path: e.instancePath, message: `${e.message ?? e.keyword}${allowed ? `: ${allowed.join(', ')}` : ''}` });
    }
  }
  return problems;
}

/**
 * What the schema cannot see in full-sync's reconcile timer: a FULL_SYNC_SCHEDULE or FULL_SYNC_TIMEZONE
 * FC would refuse, checked by the local stack's own reader so both accept the same values.
 */
export function reconcileProblems(spec: RenderedSpec): Fc3Problem[] {
  const triggers = (spec.resources['full-sync']?.props.triggers ?? []) as { triggerName: string; triggerConfig: { cronExpression: string; enable: boolean } }[];
  const index = triggers.findIndex((t) => t.triggerName === RECONCILE.triggerName);
  if (index < 0) return [];
  const path = `/triggers/${index}/triggerConfig/cronExpression`;
  const [, zone, expression] = /^(?:CRON_TZ=(\S+)\s+)?(.*)$/.exec(triggers[index]!.triggerConfig.cronExpression)!;
  return scheduleProblems(expression!, zone ?? RECONCILE.timezone, RECONCILE.variables)
    .map((p) => ({ resource: 'full-sync', path, message: `${p.variable} ${p.problem}` }));
}

export function formatFc3Problem(p: Fc3Problem): string {
  return `${p.resource}/props${p.path}: ${p.message}`;
}
