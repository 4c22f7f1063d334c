/** The contract of an XML backend: the library that builds the tree once `scan.ts` has accepted the body. */
import type { NamespaceProblem, Scope } from "./namespaces.js";
import type { XmlElement } from "./types.js";

export interface XmlBackend {
  readonly name: string;
  /** The deepest nesting the backend (and our recursion over its output) is trusted with. */
  readonly maxDepth: number;
  /**
   * Builds the resolved tree of one well-formed root element (comments,
   * PIs and CDATA already rewritten, line ends normalised). Returns the
   * element, a namespace problem, or the message of a library failure.
   */
  buildTree(rootXml: string, scope: Scope): XmlElement | NamespaceProblem | string;
}
