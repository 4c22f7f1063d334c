/**
 * RFC 4235 dialog-info → DialogInfo. The document's version, state and entity
 * and each dialog's id and state carry the meaning, so they are checked;
 * everything else is read when present and usable.
 */
import { ok, type Result } from "../errors.js";
import { childElement, isElement, parseXml, type XmlElement, type XmlLimits } from "../xml/index.js";
import { failAt, rootName, tokenOf, type Draft, type Failure } from "./common.js";
import { DIALOG_INFO_NS, DIALOG_STATES, type Dialog, type DialogInfo, type DialogParticipant, type DialogState } from "./types.js";

const NON_NEGATIVE = /^[0-9]{1,15}$/;

/** Parses an `application/dialog-info+xml` body. */
export function parseDialogInfo(input: string | Uint8Array, limits?: Partial<XmlLimits>): Result<DialogInfo> {
  const xml = parseXml(input, limits);
  return xml.ok ? dialogInfoFromElement(xml.value) : xml;
}

/** Reads a parsed `<dialog-info>` element (RFC 4235 §4.1.1). */
export function dialogInfoFromElement(root: XmlElement): Result<DialogInfo> {
  const path = "/dialog-info";
  if (root.ns !== DIALOG_INFO_NS || root.name !== "dialog-info") {
    return failAt("unexpected-root", `the root element is ${rootName(root)}; a dialog-info body has {${DIALOG_INFO_NS}}dialog-info`, "/");
  }
  const { version, state, entity } = root.attrs;
  if (version === undefined) return missing("version", "dialog-info", path);
  if (!NON_NEGATIVE.test(version.trim())) return invalid(`version "${version}" is not a non-negative integer`, path);
  if (state === undefined) return missing("state", "dialog-info", path);
  const docState = state.trim();
  if (docState !== "full" && docState !== "partial") return invalid(`state "${state}" is neither full nor partial`, path);
  if (entity === undefined) return missing("entity", "dialog-info", path);

  const dialogs: Dialog[] = [];
  for (const child of root.children) {
    if (!isElement(child) || child.ns !== DIALOG_INFO_NS || child.name !== "dialog") continue;
    const dialog = readDialog(child, `${path}/dialog[${dialogs.length + 1}]`);
    if ("ok" in dialog) return dialog;
    dialogs.push(dialog);
  }
  return ok({ kind: "dialog-info", entity: entity.trim(), version: Number(version.trim()), state: docState, dialogs });
}

/** RFC 4235 §4.1.2 `<dialog>`. */
function readDialog(el: XmlElement, path: string): Dialog | Failure {
  const a = el.attrs;
  if (a.id === undefined) return missing("id", "dialog", path);
  const stateEl = childElement(el, DIALOG_INFO_NS, "state");
  if (stateEl === undefined) return failAt("missing-element", "<dialog> has no <state> (RFC 4235 §4.1.2)", path);
  const state = tokenOf(stateEl);
  if (!(DIALOG_STATES as readonly string[]).includes(state)) {
    return invalid(`dialog state "${state}" is not one of ${DIALOG_STATES.join(", ")}`, `${path}/state`);
  }
  const direction = a.direction?.trim();
  if (direction !== undefined && direction !== "initiator" && direction !== "recipient") {
    return invalid(`direction "${a.direction}" is neither initiator nor recipient`, path);
  }

  const dialog: Draft<Dialog> = { id: a.id } as Draft<Dialog>;
  if (a["call-id"] !== undefined) dialog.callId = a["call-id"];
  if (a["local-tag"] !== undefined) dialog.localTag = a["local-tag"];
  if (a["remote-tag"] !== undefined) dialog.remoteTag = a["remote-tag"];
  if (direction !== undefined) dialog.direction = direction;
  dialog.state = state as DialogState;
  if (stateEl.attrs.event !== undefined) dialog.stateEvent = stateEl.attrs.event.trim();
  const code = stateEl.attrs.code?.trim();
  if (code !== undefined && /^[0-9]{3}$/.test(code)) dialog.stateCode = Number(code);
  const duration = childElement(el, DIALOG_INFO_NS, "duration");
  if (duration !== undefined && NON_NEGATIVE.test(tokenOf(duration))) dialog.duration = Number(tokenOf(duration));
  const localEl = childElement(el, DIALOG_INFO_NS, "local");
  const remoteEl = childElement(el, DIALOG_INFO_NS, "remote");
  if (localEl !== undefined) dialog.local = readParticipant(localEl);
  if (remoteEl !== undefined) dialog.remote = readParticipant(remoteEl);
  const rendering = localEl === undefined ? undefined : renderingOf(localEl);
  if (rendering !== undefined) dialog.held = rendering === "no";
  return dialog;
}

/** RFC 4235 §4.1.6 `<local>` / `<remote>`: identity (with its display name) and target URI. */
function readParticipant(el: XmlElement): DialogParticipant {
  const participant: Draft<DialogParticipant> = {};
  const identity = childElement(el, DIALOG_INFO_NS, "identity");
  if (identity !== undefined) {
    const uri = tokenOf(identity);
    if (uri !== "") participant.identity = uri;
    if (identity.attrs.display !== undefined) participant.displayName = identity.attrs.display;
  }
  const target = childElement(el, DIALOG_INFO_NS, "target");
  if (target?.attrs.uri !== undefined) participant.target = target.attrs.uri.trim();
  return participant;
}

/**
 * RFC 4235 §4.1.6.2: a target's `+sip.rendering` param says whether the
 * participant renders media; "no" on the local side is how PBXs (Asterisk's
 * ONHOLD) mark a call on hold.
 */
function renderingOf(participant: XmlElement): string | undefined {
  const target = childElement(participant, DIALOG_INFO_NS, "target");
  if (target === undefined) return undefined;
  for (const param of target.children) {
    if (isElement(param) && param.ns === DIALOG_INFO_NS && param.name === "param" && param.attrs.pname?.trim() === "+sip.rendering") {
      return param.attrs.pvalue?.trim().toLowerCase();
    }
  }
  return undefined;
}

const missing = (attr: string, element: string, path: string): Failure =>
  failAt("missing-attribute", `<${element}> has no ${attr} attribute (RFC 4235 §4.1)`, path);

const invalid = (message: string, path: string): Failure => failAt("invalid-value", message, path);
