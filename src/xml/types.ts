/** A namespace-resolved element: what every SIP-body codec walks. */
export interface XmlElement {
  /** Namespace URI; "" when the element is in no namespace. */
  readonly ns: string;
  /** Local name, without prefix. */
  readonly name: string;
  /** Prefix as written, kept only so that serialisation can reproduce it. */
  readonly prefix?: string;
  /**
   * Attributes. Unprefixed attributes by local name; namespaced ones by Clark
   * name (`{urn:…}local`), except `xml:lang`, kept as `xml:lang`.
   * Namespace declarations (`xmlns`, `xmlns:p`) are not included.
   */
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlNode[];
}

export type XmlNode = XmlElement | string;

export interface XmlLimits {
  /** Largest body accepted, in bytes (UTF-8). Default 64 KiB. */
  readonly maxBytes: number;
  /** Deepest element nesting accepted. Default 32. */
  readonly maxDepth: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxBytes: 64 * 1024, maxDepth: 32 };
