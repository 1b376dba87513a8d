/**
 * The department bench's figures as `npm run bench` prints them; apart from department.bench.ts
 * so run.ts can print them without running the bench on import.
 */
import type { ChangeFigures, VendorFigures } from './department.bench';

export interface DepartmentBench {
  members: number;
  vendors: VendorFigures[];
}

export function departmentTable(r: DepartmentBench): string[] {
  const row = (source: string, change: string, f: ChangeFigures) =>
    `  ${source.padEnd(9)} ${change.padEnd(27)} ${String(f.settleMs).padStart(9)} ${String(f.vendorCallsPerMember).padStart(19)} ` +
    `${String(f.ramCallsPerMember).padStart(16)} ${String(f.ramWrites).padStart(10)}`;
  return [
    `department changes on the local stack (signed callback → push re-plans every member → RAM emulator), ${r.members} members, 1 in 5 in a sub-department:`,
    `  ${'vendor'.padEnd(9)} ${'change'.padEnd(27)} ${'settle ms'.padStart(9)} ${'vendor calls/member'.padStart(19)} ${'RAM calls/member'.padStart(16)} ${'RAM writes'.padStart(10)}`,
    ...r.vendors.flatMap((v) => [row(v.source, 'rename (nobody changes)', v.rename), row(v.source, 'move under a group rule', v.move)]),
    'per-change isolation: RAM calls of one push of N display-name changes against N × a push of one:',
    ...r.vendors.map(({ source, isolation: i }) =>
      `  ${source.padEnd(9)} N=${i.batch}: ${i.batchRamCalls} calls vs ${i.batch} × ${i.singleRamCalls}: ×${i.ratio} (at most ×1.00: isolation adds no RAM call per change)`),
  ];
}
