#!/usr/bin/env node
// Runs componentize-js in a process of its own, so that build.mjs can read what the app's top
// level printed while wizer ran it (wizer writes to this process's stdout) and map the
// warnings' bundle positions back to the user's files.
//   node componentize-child.mjs OPTIONS_JSON OUT.wasm
// Exit 0 with the component written, or 1 with componentize-js's error on stderr.
import { writeFileSync } from 'node:fs';
import { componentize } from '@bytecodealliance/componentize-js';

const [options, out] = process.argv.slice(2);
try {
  const result = await componentize(JSON.parse(options));
  writeFileSync(out, result.component);
} catch (error) {
  process.stderr.write(String(error?.message ?? error));
  process.exit(1);
}
