// Which members of a Node built-in one module reads, found in its source (acorn), so that the
// build can give that module a lighter stand-in (node-compat.mjs lightBuiltins) when every
// member it reads is one the light stand-in has. StarlingMonkey compiles every function of the
// bundle at pre-initialization, so code an app never calls still costs its component size.
//
// The answer errs one way only: a member may be counted that is never read (names are matched
// without scopes, so any variable of the same name counts), but a read is never missed. When
// the module object goes anywhere the source does not show (passed to a function, stored in
// a property, read with a computed key, imported dynamically, re-exported whole), the answer
// is null: "anything".
import * as walk from 'acorn-walk';
import { isStringLiteral, parse, stringValue } from './js-source.mjs';

// The interop helpers that compilers wrap a require() in (tsc, tslib, esbuild, Babel): they
// hand back the module object, or one whose `default` is it.
const INTEROP = new Set(['__importStar', '__importDefault', '__toESM', '_interopRequireDefault', '_interopRequireWildcard']);

function calleeName(callee) {
  if (callee.type === 'Identifier') return callee.name;
  if (callee.type === 'MemberExpression' && !callee.computed) return callee.property.name;
  // (0, tslib_1.__importStar)(...)
  if (callee.type === 'SequenceExpression') return calleeName(callee.expressions[callee.expressions.length - 1]);
  return null;
}

/**
 * The members of the built-in `specifiers` name that the module `text` reads.
 * @param {string} text the module's JavaScript (TypeScript must be compiled first)
 * @param {Set<string>} specifiers how the built-in is spelled in imports: {'crypto', 'node:crypto'}
 * @param {'module'|'script'} [sourceType] how to parse first (the other is tried on a syntax error)
 * @returns {Set<string>|null} member names (`default` is looked through), or null when the
 *   module object escapes what the source shows
 * @throws {SyntaxError} when the text parses as neither a module nor a script
 */
export function builtinMembersUsed(text, specifiers, sourceType = 'module') {
  const ast = parse(text, sourceType);
  const members = new Set();
  const names = new Set(); // variables that hold the module object
  let escapes = false;

  // `value` (an expression that evaluates to the module object) is used by its parent.
  const useOf = (value, ancestors) => {
    let node = value;
    let at = ancestors.length - 2;
    for (;;) {
      const parent = ancestors[at];
      if (parent?.type === 'CallExpression' && parent.arguments[0] === node && INTEROP.has(calleeName(parent.callee))) {
        node = parent;
        at--;
        continue;
      }
      if (parent?.type === 'ChainExpression') {
        node = parent;
        at--;
        continue;
      }
      if (parent?.type === 'MemberExpression' && parent.object === node) {
        if (parent.computed && !isStringLiteral(parent.property)) return void (escapes = true);
        const name = parent.computed ? stringValue(parent.property) : parent.property.name;
        if (name === 'default') {
          node = parent;
          at--;
          continue;
        }
        members.add(name);
        return undefined;
      }
      return bindingOf(parent, node);
    }
  };

  const bindingOf = (parent, node) => {
    if (looked(parent, node)) return;
    const target = parent?.type === 'VariableDeclarator' && parent.init === node ? parent.id
      : parent?.type === 'AssignmentExpression' && parent.right === node && parent.operator === '=' ? parent.left
        : undefined;
    if (target?.type === 'Identifier') names.add(target.name);
    else if (target?.type === 'ObjectPattern') destructured(target);
    else if (parent?.type !== 'ExpressionStatement') escapes = true; // anything else: it goes somewhere
  };

  // Tests that read the object without passing it on: `if (c)`, `!c`, `typeof c`, `c === x`, `c && ...`.
  const looked = (parent, node) => ((parent?.type === 'IfStatement' || parent?.type === 'ConditionalExpression') && parent.test === node)
    || parent?.type === 'UnaryExpression' || parent?.type === 'BinaryExpression'
    || (parent?.type === 'LogicalExpression' && parent.operator === '&&' && parent.left === node);

  const destructured = (pattern) => {
    for (const property of pattern.properties) {
      if (property.type !== 'Property' || (property.computed && !isStringLiteral(property.key))) {
        escapes = true;
        continue;
      }
      const key = property.computed ? stringValue(property.key) : property.key.name ?? String(property.key.value);
      if (key === 'default') {
        if (property.value.type === 'Identifier') names.add(property.value.name);
        else if (property.value.type === 'ObjectPattern') destructured(property.value);
        else escapes = true;
      } else {
        members.add(key);
      }
    }
  };

  walk.ancestor(ast, {
    ImportDeclaration(node) {
      if (!specifiers.has(node.source.value)) return;
      for (const spec of node.specifiers) {
        if (spec.type === 'ImportSpecifier') {
          const name = spec.imported.name ?? spec.imported.value;
          if (name === 'default') names.add(spec.local.name);
          else members.add(name);
        } else {
          names.add(spec.local.name);
        }
      }
    },
    ExportNamedDeclaration(node) {
      if (!node.source || !specifiers.has(node.source.value)) return;
      for (const spec of node.specifiers) {
        const name = spec.local.name ?? spec.local.value;
        if (name === 'default') escapes = true;
        else members.add(name);
      }
    },
    ExportAllDeclaration(node) {
      if (specifiers.has(node.source.value)) escapes = true;
    },
    ImportExpression(node) {
      if (isStringLiteral(node.source) && specifiers.has(stringValue(node.source))) escapes = true;
    },
    CallExpression(node, ancestors) {
      if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments.length === 1
        && isStringLiteral(node.arguments[0]) && specifiers.has(stringValue(node.arguments[0]))) {
        useOf(node, ancestors);
      }
    },
  });
  // Each variable's reads; `const other = crypto` adds a variable, whose reads may come
  // earlier in the text (a function declared above), so again until no variable is added.
  for (let seen = 0; !escapes && names.size > seen;) {
    seen = names.size;
    walk.ancestor(ast, {
      Identifier(node, ancestors) {
        if (names.has(node.name)) useOf(node, ancestors);
      },
      ExportNamedDeclaration(node) {
        if (!node.source && node.specifiers.some((spec) => names.has(spec.local.name))) escapes = true;
      },
    });
  }
  return escapes ? null : members;
}

/**
 * The names a stand-in module exports (`export function f`, `export const c`, `export { a, b }`,
 * `export class K`; not `export *`), and `default`.
 * @param {string} text an ES module's source
 * @returns {Set<string>}
 */
export function exportedNames(text) {
  const found = new Set();
  for (const node of parse(text, 'module').body) {
    if (node.type === 'ExportDefaultDeclaration') found.add('default');
    if (node.type !== 'ExportNamedDeclaration') continue;
    for (const spec of node.specifiers) found.add(spec.exported.name ?? spec.exported.value);
    const declaration = node.declaration;
    if (declaration?.id) found.add(declaration.id.name);
    for (const d of declaration?.declarations ?? []) if (d.id.type === 'Identifier') found.add(d.id.name);
  }
  return found;
}
