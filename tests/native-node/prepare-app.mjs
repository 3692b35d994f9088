// What a native baseline imports for APP_FILE. A TypeScript app whose tsconfig asks for
// emitDecoratorMetadata (NestJS, TypeORM, routing-controllers) is run as its users run it: built
// by tsc (`nest build`), then `node` on the JavaScript; tsx, which the other TypeScript apps run
// on, compiles with esbuild and emits no decorator metadata. tsc writes each .js beside its .ts
// in the baseline's own copy of the app, so paths relative to a module (data files, computed
// requires) stay as in the source. Type errors do not stop the emit: the dev dependencies that
// hold the types (@types/express) are not in the staged production node_modules.
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const TYPESCRIPT = /\.[cm]?tsx?$/;
const MARKER = '.native-tsc-built';

function tsconfigAbove(dir) {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, 'tsconfig.json'))) return join(at, 'tsconfig.json');
    if (dirname(at) === at || existsSync(join(at, 'package.json'))) return null;
  }
}

/** The file to import for `file`: itself, or the .js tsc built beside it. */
export function prepareApp(file) {
  const path = resolve(file);
  if (!TYPESCRIPT.test(path)) return path;
  const tsconfig = tsconfigAbove(dirname(path));
  if (!tsconfig) return path;
  const ts = require('typescript');
  const { config } = ts.readConfigFile(tsconfig, ts.sys.readFile);
  const root = dirname(tsconfig);
  const parsed = ts.parseJsonConfigFileContent(config ?? {}, ts.sys, root);
  if (!parsed.options.emitDecoratorMetadata) return path;
  const built = path.replace(/\.([cm]?)tsx?$/, (_, kind) => `.${kind}js`);
  if (!existsSync(join(root, MARKER))) {
    const program = ts.createProgram(parsed.fileNames, { ...parsed.options, noEmit: false, noEmitOnError: false,
      declaration: false, composite: false, incremental: false, sourceMap: false, inlineSourceMap: true });
    program.emit(undefined, (name, text, bom, onError, sources) => {
      const source = sources?.[0]?.fileName;
      if (source && /\.[cm]?js$/.test(name)) writeFileSync(source.replace(/\.([cm]?)tsx?$/, (_, kind) => `.${kind}js`), text);
    });
    if (!existsSync(built)) throw new Error(`tsc built no ${built} from ${tsconfig}`);
    writeFileSync(join(root, MARKER), '');
  }
  return built;
}
