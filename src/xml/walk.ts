/** Small readers over the resolved tree, shared by the body codecs. */
import type { XmlElement, XmlNode } from "./types.js";

/** True for element children, false for text. */
export const isElement = (node: XmlNode): node is XmlElement => typeof node !== "string";

/** The concatenated text children of `el` (not of its descendants). */
export function textOf(el: XmlElement): string {
  const { children } = el;
  if (children.length === 1) {
    const only = children[0];
    return typeof only === "string" ? only : "";
  }
  let text = "";
  for (const child of children) if (typeof child === "string") text += child;
  return text;
}

/** The first child element with this namespace and local name. */
export function childElement(el: XmlElement, ns: string, name: string): XmlElement | undefined {
  for (const child of el.children) {
    if (typeof child !== "string" && child.name === name && child.ns === ns) return child;
  }
  return undefined;
}

/** `{ns}name`, the Clark notation used in messages and attribute keys. */
export const clark = (ns: string, name: string): string => (ns === "" ? name : `{${ns}}${name}`);
