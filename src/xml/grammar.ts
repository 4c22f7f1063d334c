/** XML 1.0 productions as regular-expression sources, shared by the scanner's readers. */

// §2.3 Name (astral characters accepted through their surrogates).
export const NAME_START =
  ":A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C\\u200D" +
  "\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\uD800-\\uDFFF";
export const NAME = `[${NAME_START}][${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F\\u2040]*`;
/** §2.3 S: the four whitespace characters. */
export const S = "[ \\t\\r\\n]";
/** §2.3 SystemLiteral / PubidLiteral, loosely. */
export const LITERAL = `(?:"[^"]*"|'[^']*')`;
