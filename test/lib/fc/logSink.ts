import { type LogLevel, type Logger, createLogger } from '../../../functions/lib/fc/logger';

/** A real logger whose lines are kept, parsed, instead of going to stdout. */
export function captureLogger(level: LogLevel = 'info', redactKeys?: string[]): { log: Logger; lines: Record<string, any>[]; text: string[] } {
  const lines: Record<string, any>[] = [];
  const text: string[] = [];
  const log = createLogger({
    level, redactKeys,
    write: (line) => {
      text.push(line);
      lines.push(JSON.parse(line));
    },
  });
  return { log, lines, text };
}
