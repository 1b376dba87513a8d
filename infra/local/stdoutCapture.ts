/**
 * The local stack runs the function bundles in its own process, and they log JSON lines to stdout
 * (in FC, stdout is what goes to SLS). Capturing stdout is how the stack, standing in for FC's
 * runtime, keeps those lines apart from what it prints for people.
 */

/**
 * Sends each line written to stdout to `sink` (without its newline) until the returned function
 * is called. Captures nest: the innermost one gets the lines, and releasing restores the previous.
 *
 * @example
 * const lines: string[] = [];
 * const release = captureStdout((line) => lines.push(line));
 * try { require(bundle); } finally { release(); }
 */
export function captureStdout(sink: (line: string) => void): () => void {
  const previous = process.stdout.write;
  let pending = '';
  const write = (chunk: string | Uint8Array, encoding?: unknown, callback?: unknown): boolean => {
    pending += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) sink(line);
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') done();
    return true;
  };
  process.stdout.write = write as typeof process.stdout.write;
  return () => {
    process.stdout.write = previous;
    if (pending) sink(pending);
    pending = '';
  };
}
