/**
 * The layers, checked on the import statements of functions/lib: core imports nothing of ours,
 * sources only core, and nothing imports upward (wiring, the handlers). A new file that breaks a
 * rule fails here with the import that does.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const LIB = path.resolve(__dirname, '../../functions/lib');

/** Which of our modules each module may import (itself always). */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  sources: ['core'],
  state: ['core'],
  /** Signed Alibaba Cloud OpenAPI calls (FC's InvokeFunction, RAM's actions). */
  openapi: ['core'],
  queue: ['core', 'openapi'],
  ram: ['core', 'state', 'openapi'],
  fc: ['core'],
  sync: ['core', 'sources', 'state'],
  wiring: ['core', 'sources', 'state', 'queue', 'ram', 'fc', 'sync', 'openapi'],
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Relative specifiers of `import … from`, `export … from`, `import('…')` and `require('…')`. */
function importsOf(source: string): string[] {
  const found = source.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"](\.[^'"]*)['"]/gm);
  return [...found].map((m) => m[1]!);
}

const moduleOf = (file: string): string => {
  const relative = path.relative(LIB, file);
  return relative.startsWith('..') ? `outside lib (${path.relative(path.dirname(LIB), file)})` : relative.split(path.sep)[0]!;
};

describe('the import graph of functions/lib', () => {
  const files = filesUnder(LIB);

  it('knows every module', () => {
    expect([...new Set(files.map(moduleOf))].sort()).toEqual(Object.keys(ALLOWED).sort());
  });

  it('has no import across a layer it may not cross', () => {
    const broken: string[] = [];
    for (const file of files) {
      const from = moduleOf(file);
      for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
        const to = moduleOf(path.resolve(path.dirname(file), specifier));
        if (to !== from && !ALLOWED[from]!.includes(to)) broken.push(`${path.relative(LIB, file)} → ${specifier} (${from} → ${to})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('reads the imports it checks', () => {
    expect(importsOf("import type { A } from '../core/ports';\nexport { b } from './b';\nconst c = require('../sources/ad');"))
      .toEqual(['../core/ports', './b', '../sources/ad']);
  });
});
