/**
 * XEP-0115 §5.1: the verification string of an entity's disco#info, so clients can
 * cache what a contact supports instead of asking each one (`<c/>` in presence).
 */
import { createHash } from "node:crypto";

export interface DiscoIdentity {
  readonly category: string;
  readonly type: string;
  readonly name?: string;
  readonly lang?: string;
}

export interface DiscoInfo {
  readonly identities: readonly DiscoIdentity[];
  readonly features: readonly string[];
}

/** XEP-0115 §6.2: a URI naming the software; `.invalid` (RFC 2606) because it names no web page. */
export const CAPS_NODE = "https://presence-bridge.invalid/caps";

// XEP-0115 §5.1 step 1 and 3: sort by octets (i;octet collation), not by locale.
const byOctets = (a: string, b: string): number => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));

/**
 * The string S of XEP-0115 §5.1: identities as `category/type/lang/name<` sorted,
 * then features as `feature<` sorted (no extended forms: the bridge publishes none).
 */
export function capsString(info: DiscoInfo): string {
  const identities = info.identities.map((i) => `${i.category}/${i.type}/${i.lang ?? ""}/${i.name ?? ""}<`).sort(byOctets);
  const features = [...new Set(info.features)].map((f) => `${f}<`).sort(byOctets);
  return identities.join("") + features.join("");
}

/** Base64 of the SHA-1 of S (XEP-0115 §5.1 steps 7–8), as sent in `ver`. */
export function capsVer(info: DiscoInfo): string {
  return createHash("sha1").update(capsString(info), "utf8").digest("base64");
}
