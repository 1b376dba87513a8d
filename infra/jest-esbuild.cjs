// Jest transform: TypeScript through esbuild (the same compiler as the bundles), fast and type-free;
// `npm run typecheck` does the type checking.
const { transformSync } = require('esbuild');
const crypto = require('node:crypto');

module.exports = {
  process(source, filename) {
    const out = transformSync(source, {
      loader: 'ts', format: 'cjs', target: 'node20', sourcemap: 'inline', sourcefile: filename,
    });
    return { code: out.code };
  },
  getCacheKey(source, filename) {
    return crypto.createHash('sha1').update(source).update(filename).update('v1').digest('hex');
  },
};
