/** `parseSipBody`: one entry point for every presence body a SIP peer sends. */
import { fail, type Result } from "../errors.js";
import { parseXml, type XmlElement, type XmlLimits } from "../xml/index.js";
import { failAt, rootName } from "./common.js";
import { dialogInfoFromElement } from "./parse-dialog-info.js";
import { pidfFromElement } from "./parse-pidf.js";
import { isXpidf, xpidfFromElement } from "./parse-xpidf.js";
import { DIALOG_INFO_NS, PIDF_NS, type SipBody } from "./types.js";

type Kind = "pidf" | "dialog-info" | "xpidf" | "infer";

/**
 * Media types read, lower case. `cpim-pidf+xml` is inferred from the root:
 * Asterisk sends XPIDF under that name, others PIDF.
 */
const KINDS: Readonly<Record<string, Kind>> = {
  "application/pidf+xml": "pidf",
  "application/dialog-info+xml": "dialog-info",
  "application/xpidf+xml": "xpidf",
  "application/cpim-pidf+xml": "infer",
  "application/xml": "infer",
  "text/xml": "infer",
};

/**
 * Parses a PIDF, dialog-info or XPIDF body. With a Content-Type (parameters
 * such as `;charset=utf-8` ignored, any case) the body must be that type;
 * without one the root element decides. The XML is parsed once.
 */
export function parseSipBody(
  input: string | Uint8Array,
  contentType?: string,
  limits?: Partial<XmlLimits>,
): Result<SipBody> {
  let kind: Kind = "infer";
  if (contentType !== undefined) {
    const media = (contentType.split(";", 1)[0] ?? "").trim().toLowerCase();
    const known = KINDS[media];
    if (known === undefined) return fail("unknown-content-type", `the bridge does not read ${media === "" ? "an empty content type" : media} bodies`);
    kind = known;
  }
  const xml = parseXml(input, limits);
  if (!xml.ok) return xml;
  const root = xml.value;
  switch (kind === "infer" ? inferKind(root) : kind) {
    case "pidf":
      return pidfFromElement(root);
    case "dialog-info":
      return dialogInfoFromElement(root);
    case "xpidf":
      return xpidfFromElement(root);
    default:
      return failAt("unexpected-root", `the root element ${rootName(root)} is not PIDF, dialog-info or XPIDF`, "/");
  }
}

function inferKind(root: XmlElement): Kind {
  if (root.ns === PIDF_NS && root.name === "presence") return "pidf";
  if (root.ns === DIALOG_INFO_NS && root.name === "dialog-info") return "dialog-info";
  if (isXpidf(root)) return "xpidf";
  return "infer";
}
