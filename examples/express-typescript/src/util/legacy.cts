// A CommonJS module in TypeScript (.cts), as older helpers in a migrating codebase are.
import path = require('node:path');

const banner = (name: string): string => `${name} (${path.posix.join('api', 'v1')})`;
export = banner;
