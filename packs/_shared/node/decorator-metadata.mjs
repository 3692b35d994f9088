// TypeScript that needs decorator metadata (NestJS, TypeORM, routing-controllers, class-validator
// with `@Type`), compiled by TypeScript itself. esbuild compiles decorators but does not emit
// `design:type` / `design:paramtypes` metadata (evanw/esbuild#257), which Nest's dependency
// injection reads to know what to inject: without it every constructor parameter is undefined.
// tsc's transpileModule compiles one file at a time, as `nest build` with `isolatedModules`, SWC
// and ts-jest do, so the bundle keeps esbuild's per-file pipeline around it.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';

const require = createRequire(import.meta.url);
let ts; // loaded on first use: most apps never need it

// Options that name outputs of a whole-program build; one file's JavaScript needs none of them.
const PROGRAM_ONLY = ['declaration', 'declarationMap', 'emitDeclarationOnly', 'composite', 'incremental',
  'tsBuildInfoFile', 'outDir', 'outFile', 'rootDir', 'sourceMap', 'noEmit', 'noEmitOnError'];

/**
 * The compiler options of the tsconfig.json governing `appRoot` (its `extends` followed, as tsc
 * follows it) when they ask for `emitDecoratorMetadata`; else null, and esbuild compiles the
 * app's TypeScript as before.
 * @param {string} appRoot the staged app folder
 * @returns {object|null} TypeScript CompilerOptions, ready for transpileModule
 * @throws {Error} when the tsconfig.json can't be read or parsed, with tsc's own message
 */
export function metadataOptions(appRoot) {
  const file = join(appRoot, 'tsconfig.json');
  if (!existsSync(file)) return null;
  ts ??= require('typescript');
  const { config, error } = ts.readConfigFile(file, ts.sys.readFile);
  if (error) throw new Error(`${file}: ${ts.flattenDiagnosticMessageText(error.messageText, '\n')}`);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dirname(file), undefined, file);
  if (!parsed.options.emitDecoratorMetadata) return null;
  const options = { ...parsed.options };
  for (const key of PROGRAM_ONLY) delete options[key];
  // The user's lines in stack traces and the bundle's source map.
  return { ...options, inlineSourceMap: true, inlineSources: true };
}

/**
 * One TypeScript file as JavaScript, decorator metadata included (tsc's transpileModule).
 * @param {string} text the file's TypeScript
 * @param {string} fileName its path, for the source map and for `.mts`/`.cts` module kinds
 * @param {object} options from {@link metadataOptions}
 * @returns {string} JavaScript with an inline source map to `text`
 */
export function transpile(text, fileName, options) {
  ts ??= require('typescript');
  return ts.transpileModule(text, { compilerOptions: options, fileName, reportDiagnostics: false }).outputText;
}
