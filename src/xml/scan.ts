/**
 * The well-formedness scan: one linear pass over the text, before the parser
 * builds anything. fast-xml-parser and ltx both accept mismatched and
 * unclosed tags, two roots, text after the root, `<` in attribute values
 * (LIBRARIES.md §4; bench/xml-parsers.bench.ts), so this pass is what makes a
 * body acceptable. It also enforces the DTD policy and the depth
 * limit with an explicit stack, so no nesting can exhaust the call stack.
 */
import { fail, ok, type BridgeError, type ErrorCode, type Result } from "../errors.js";
import { checkReference } from "./entities.js";
import { LITERAL, NAME, NAME_START, S } from "./grammar.js";
import { lineColumn } from "./location.js";
import { scanStartTag } from "./start-tag.js";

/**
 * Where the root element starts and ends, and the edits to make before a
 * backend reads it (offsets into the scanned text, in document order).
 */
export interface RootSpan {
  readonly start: number;
  readonly end: number;
  readonly edits: readonly Edit[];
}

/**
 * `cut`: a comment or processing instruction inside the root; `cdata`: a
 * CDATA section, to become escaped text; `blank`: an attribute value holding
 * TAB, LF or CR.
 */
export interface Edit {
  readonly kind: "cut" | "cdata" | "blank";
  readonly start: number;
  readonly end: number;
}

const END_TAG = new RegExp(`</(${NAME})${S}*>`, "y");
const XML_DECLARATION = new RegExp(`<\\?xml(?:${S}[^?]*)?\\?>`, "y");
const PI_TARGET = new RegExp(`<\\?(${NAME})(?:${S}|\\?>)`, "y");
const EXTERNAL_ID = `(?:${S}+(?:SYSTEM${S}+${LITERAL}|PUBLIC${S}+${LITERAL}(?:${S}+${LITERAL})?))?`;
const DOCTYPE = new RegExp(`<!DOCTYPE${S}+${NAME}${EXTERNAL_ID}${S}*>`, "y");
const DOCTYPE_SUBSET = new RegExp(`<!DOCTYPE${S}+${NAME}${EXTERNAL_ID}${S}*\\[`, "y");
const BLANK_RUN = new RegExp(`${S}*`, "y");
const PI_TARGET_CONTINUES = new RegExp(`[${NAME_START}\\-.0-9]`);
// eslint-disable-next-line no-control-regex -- XML 1.0 §2.2: the characters a document may not hold
const BAD_CHARACTER = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;

export type Failure = { readonly ok: false; readonly error: BridgeError };

/**
 * Checks that `text` is one well-formed XML document within `maxDepth`, and
 * finds its root element. A DOCTYPE without an internal subset is allowed
 * (old XPIDF phones send one) and never fetched; an internal subset or any
 * `<!ENTITY` is `entity-declaration`.
 */
export function scanXml(text: string, maxDepth: number): Result<RootSpan> {
  const bad = BAD_CHARACTER.exec(text);
  if (bad !== null) {
    const hex = bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
    return failAt(text, `character U+${hex} is not allowed in XML`, bad.index);
  }
  return new Scanner(text, maxDepth).run();
}

const failAt = (text: string, message: string, at: number, code: ErrorCode = "not-well-formed"): Failure =>
  fail(code, message, lineColumn(text, at));

/** One pass over a document; each step returns a failure or undefined and advances `pos`. */
class Scanner {
  private readonly stack: string[] = [];
  private readonly edits: Edit[] = [];
  private pos = 0;
  private rootStart = -1;
  private rootEnd = -1;
  private doctypeSeen = false;
  /** Next `&` and `]]>` at or after some earlier position; -1 when there are none left. */
  private amp: number;
  private cdataEnd: number;

  constructor(private readonly text: string, private readonly maxDepth: number) {
    this.amp = text.indexOf("&");
    this.cdataEnd = text.indexOf("]]>");
  }

  private readonly err = (message: string, at: number, code: ErrorCode = "not-well-formed"): Failure =>
    failAt(this.text, message, at, code);

  run(): Result<RootSpan> {
    const { text } = this;
    const failure = this.declaration();
    if (failure !== undefined) return failure;
    for (;;) {
      const lt = text.indexOf("<", this.pos);
      const textEnd = lt === -1 ? text.length : lt;
      const bad = textEnd > this.pos ? this.characterData(textEnd) : undefined;
      if (bad !== undefined) return bad;
      if (lt === -1) break;
      const next = text.charCodeAt(lt + 1);
      const step = next === 47 /* / */ ? this.endTag(lt)
        : next === 33 /* ! */ ? this.markup(lt)
        : next === 63 /* ? */ ? this.processingInstruction(lt)
        : this.startTag(lt);
      if (step !== undefined) return step;
    }
    if (this.stack.length > 0) return this.err(`element <${this.stack[this.stack.length - 1] ?? ""}> is not closed`, text.length);
    if (this.rootStart === -1) return this.err("there is no root element", this.pos);
    return ok({ start: this.rootStart, end: this.rootEnd, edits: this.edits });
  }

  /** XML 1.0 §2.8 wants the declaration first; whitespace a SIP stack left before it is forgiven. */
  private declaration(): Failure | undefined {
    BLANK_RUN.lastIndex = 0;
    BLANK_RUN.test(this.text);
    const first = BLANK_RUN.lastIndex;
    if (!this.text.startsWith("<?xml", first) || PI_TARGET_CONTINUES.test(this.text.charAt(first + 5))) return undefined;
    XML_DECLARATION.lastIndex = first;
    if (!XML_DECLARATION.test(this.text)) return this.err("malformed XML declaration", first);
    this.pos = XML_DECLARATION.lastIndex;
    return undefined;
  }

  /** Text up to `end`: only whitespace outside the root; inside, valid references and no `]]>`. */
  private characterData(end: number): Failure | undefined {
    const { text, pos } = this;
    if (this.stack.length === 0) {
      BLANK_RUN.lastIndex = pos;
      BLANK_RUN.test(text);
      if (BLANK_RUN.lastIndex >= end) return undefined;
      return this.err(`text is not allowed ${this.rootStart === -1 ? "before" : "after"} the root element`, BLANK_RUN.lastIndex);
    }
    if (this.amp !== -1 && this.amp < pos) this.amp = text.indexOf("&", pos);
    while (this.amp !== -1 && this.amp < end) {
      const next = checkReference(text, this.amp);
      if (typeof next === "string") return this.err(next, this.amp);
      this.amp = text.indexOf("&", next);
    }
    if (this.cdataEnd !== -1 && this.cdataEnd < pos) this.cdataEnd = text.indexOf("]]>", pos);
    if (this.cdataEnd !== -1 && this.cdataEnd < end) return this.err("']]>' is not allowed in text", this.cdataEnd);
    return undefined;
  }

  private endTag(lt: number): Failure | undefined {
    END_TAG.lastIndex = lt;
    const m = END_TAG.exec(this.text);
    if (m === null) return this.err("malformed end tag", lt);
    const open = this.stack.pop();
    if (open === undefined) return this.err(`end tag </${m[1]}> has no start tag`, lt);
    if (open !== m[1]) return this.err(`end tag </${m[1]}> does not match start tag <${open}>`, lt);
    this.pos = END_TAG.lastIndex;
    if (this.stack.length === 0) this.rootEnd = this.pos;
    return undefined;
  }

  /** `<!`: a comment, a CDATA section, the DOCTYPE, or a declaration we refuse. */
  private markup(lt: number): Failure | undefined {
    const { text } = this;
    if (text.startsWith("<!--", lt)) {
      const close = text.indexOf("-->", lt + 4);
      if (close === -1) return this.err("comment is not closed", lt);
      const dashes = text.indexOf("--", lt + 4);
      if (dashes < close) return this.err("'--' is not allowed inside a comment", dashes);
      this.pos = close + 3;
      if (this.stack.length > 0) this.edits.push({ kind: "cut", start: lt, end: this.pos });
    } else if (text.startsWith("<![CDATA[", lt)) {
      if (this.stack.length === 0) return this.err("CDATA section outside the root element", lt);
      const close = text.indexOf("]]>", lt + 9);
      if (close === -1) return this.err("CDATA section is not closed", lt);
      this.pos = close + 3;
      this.edits.push({ kind: "cdata", start: lt, end: this.pos });
    } else if (text.startsWith("<!DOCTYPE", lt)) {
      DOCTYPE_SUBSET.lastIndex = lt;
      if (DOCTYPE_SUBSET.test(text)) {
        return this.err("the DOCTYPE has an internal subset; presence bodies need no declarations", lt, "entity-declaration");
      }
      if (this.doctypeSeen || this.rootStart !== -1) return this.err("DOCTYPE is only allowed once, before the root element", lt);
      DOCTYPE.lastIndex = lt;
      if (!DOCTYPE.test(text)) return this.err("malformed DOCTYPE", lt);
      this.doctypeSeen = true;
      this.pos = DOCTYPE.lastIndex;
    } else if (text.startsWith("<!ENTITY", lt)) {
      return this.err("entity declarations are not accepted", lt, "entity-declaration");
    } else {
      return this.err("'<!' must start a comment or a CDATA section", lt);
    }
    return undefined;
  }

  private processingInstruction(lt: number): Failure | undefined {
    PI_TARGET.lastIndex = lt;
    const m = PI_TARGET.exec(this.text);
    if (m === null) return this.err("malformed processing instruction", lt);
    if ((m[1] ?? "").toLowerCase() === "xml") return this.err("the XML declaration is only allowed at the very start", lt);
    const close = this.text.indexOf("?>", lt + 2);
    if (close === -1) return this.err("processing instruction is not closed", lt);
    this.pos = close + 2;
    if (this.stack.length > 0) this.edits.push({ kind: "cut", start: lt, end: this.pos });
    return undefined;
  }

  private startTag(lt: number): Failure | undefined {
    const tag = scanStartTag(this.text, lt, this.edits, this.err);
    if ("ok" in tag) return tag;
    if (this.stack.length === 0) {
      if (this.rootStart !== -1) return this.err(`a second root element <${tag.name}> is not allowed`, lt);
      this.rootStart = lt;
    }
    if (this.stack.length >= this.maxDepth) return this.err(`elements are nested deeper than ${this.maxDepth} levels`, lt, "too-deep");
    this.pos = tag.end;
    if (!tag.selfClosing) this.stack.push(tag.name);
    else if (this.stack.length === 0) this.rootEnd = this.pos;
    return undefined;
  }
}
