/**
 * The one XML parser wrapper: namespace resolution, Clark names, safety
 * limits. Everything that reads or writes XML bodies goes through here.
 */
export { parseXml } from "./parse.js";
export { serializeXml } from "./serialize.js";
export { escapeAttr, escapeText } from "./entities.js";
export { childElement, clark, isElement, textOf } from "./walk.js";
export { XML_NS } from "./namespaces.js";
export { DEFAULT_XML_LIMITS, type XmlElement, type XmlLimits, type XmlNode } from "./types.js";
