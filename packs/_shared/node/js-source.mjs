// What the build's readers of JavaScript share (node-compat.mjs's rewrites, builtin-uses.mjs):
// acorn, as lenient as Node's loaders, and the string-literal tests on its tree.
import * as acorn from 'acorn';

/**
 * Parse `text` as `sourceType`, else as the other type (a file's extension does not always
 * say which it is).
 * @param {string} text JavaScript
 * @param {'module'|'script'} sourceType how to try first
 * @param {Array|Function} [onToken] acorn's token collector (an array is emptied between tries)
 * @returns {object} acorn's ESTree Program
 * @throws {SyntaxError} when the text parses as neither
 */
export function parse(text, sourceType, onToken) {
  const options = { ecmaVersion: 'latest', allowHashBang: true, allowReturnOutsideFunction: true,
    allowAwaitOutsideFunction: true, allowImportExportEverywhere: true, onToken };
  try {
    return acorn.parse(text, { ...options, sourceType });
  } catch {
    if (Array.isArray(onToken)) onToken.length = 0;
    return acorn.parse(text, { ...options, sourceType: sourceType === 'module' ? 'script' : 'module' });
  }
}

/** A string literal, or a template literal with no substitutions. */
export const isStringLiteral = (node) => (node?.type === 'Literal' && typeof node.value === 'string')
  || (node?.type === 'TemplateLiteral' && node.expressions.length === 0);

/** The string an isStringLiteral node stands for. */
export const stringValue = (node) => (node.type === 'Literal' ? node.value : node.quasis[0].value.cooked);
