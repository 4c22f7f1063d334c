/**
 * The pre-standard `application/xpidf+xml` (no namespace) → XpidfDocument, as
 * Asterisk, Cisco, Polycom and other desk phones still send it, usually with
 * a `<!DOCTYPE presence PUBLIC "-//IETF//DTD RFCxxxx XPIDF 1.0//EN" "xpidf.dtd">`
 * that the XML layer skips.
 */
import { ok, type Result } from "../errors.js";
import { childElement, isElement, parseXml, type XmlElement, type XmlLimits } from "../xml/index.js";
import { failAt, rootName, type Draft, type Failure } from "./common.js";
import type { XpidfAddress, XpidfDocument } from "./types.js";

const STATUSES = new Set(["open", "closed", "inuse"]);

/** Parses an `application/xpidf+xml` body. */
export function parseXpidf(input: string | Uint8Array, limits?: Partial<XmlLimits>): Result<XpidfDocument> {
  const xml = parseXml(input, limits);
  return xml.ok ? xpidfFromElement(xml.value) : xml;
}

/** True when `root` looks like XPIDF: `<presence>` in no namespace with a `<presentity>`. */
export const isXpidf = (root: XmlElement): boolean =>
  root.ns === "" && root.name === "presence" && childElement(root, "", "presentity") !== undefined;

/** Reads a parsed XPIDF `<presence>`: the presentity URI and every atom's addresses. */
export function xpidfFromElement(root: XmlElement): Result<XpidfDocument> {
  if (root.ns !== "" || root.name !== "presence") {
    return failAt("unexpected-root", `the root element is ${rootName(root)}; an XPIDF body has <presence> in no namespace`, "/");
  }
  const presentity = childElement(root, "", "presentity");
  if (presentity === undefined) return failAt("missing-element", "<presence> has no <presentity>", "/presence");
  const entity = presentity.attrs.uri;
  if (entity === undefined) return failAt("missing-attribute", "<presentity> has no uri attribute", "/presence/presentity");

  const addresses: XpidfAddress[] = [];
  let atoms = 0;
  for (const atom of root.children) {
    if (!isElement(atom) || atom.ns !== "" || atom.name !== "atom") continue;
    atoms++;
    let n = 0;
    for (const child of atom.children) {
      if (!isElement(child) || child.ns !== "" || child.name !== "address") continue;
      const address = readAddress(child, `/presence/atom[${atoms}]/address[${++n}]`);
      if ("ok" in address) return address;
      addresses.push(address);
    }
  }
  return ok({ kind: "xpidf", entity: entity.trim(), addresses });
}

function readAddress(el: XmlElement, path: string): XpidfAddress | Failure {
  const uri = el.attrs.uri;
  if (uri === undefined) return failAt("missing-attribute", "<address> has no uri attribute", path);
  const statusEl = childElement(el, "", "status");
  if (statusEl === undefined) return failAt("missing-element", "<address> has no <status>", path);
  const status = statusEl.attrs.status?.trim();
  if (status === undefined) return failAt("missing-attribute", "<status> has no status attribute", `${path}/status`);
  if (!STATUSES.has(status)) return failAt("invalid-value", `status "${status}" is not one of open, closed, inuse`, `${path}/status`);
  const address: Draft<XpidfAddress> = { uri: uri.trim(), status: status as XpidfAddress["status"] };
  const substatus = childElement(el, "", "msnsubstatus")?.attrs.substatus;
  if (substatus !== undefined) address.substatus = substatus.trim();
  const priority = el.attrs.priority?.trim();
  if (priority !== undefined && priority !== "" && Number.isFinite(Number(priority))) address.priority = Number(priority);
  return address;
}
