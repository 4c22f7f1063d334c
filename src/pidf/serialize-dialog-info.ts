/** DialogInfo → RFC 4235 `application/dialog-info+xml`, in the schema's element order. */
import { escapeAttr, escapeText } from "../xml/index.js";
import { DIALOG_INFO_NS, type Dialog, type DialogInfo, type DialogParticipant } from "./types.js";

/**
 * Writes `doc` as dialog-info. `held` becomes the local target's
 * `+sip.rendering` param (RFC 4235 §4.1.6.2): "no" when held, "yes" when not;
 * a dialog with `held` but no local target uses the entity as target, as
 * Asterisk does.
 */
export function serializeDialogInfo(doc: DialogInfo): string {
  let out = `<?xml version="1.0" encoding="UTF-8"?>\n<dialog-info xmlns="${DIALOG_INFO_NS}" version="${doc.version}"`;
  out += ` state="${doc.state}" entity="${escapeAttr(doc.entity)}">`;
  for (const dialog of doc.dialogs) out += writeDialog(dialog, doc.entity);
  return `${out}</dialog-info>`;
}

function writeDialog(d: Dialog, entity: string): string {
  let attrs = ` id="${escapeAttr(d.id)}"`;
  if (d.callId !== undefined) attrs += ` call-id="${escapeAttr(d.callId)}"`;
  if (d.localTag !== undefined) attrs += ` local-tag="${escapeAttr(d.localTag)}"`;
  if (d.remoteTag !== undefined) attrs += ` remote-tag="${escapeAttr(d.remoteTag)}"`;
  if (d.direction !== undefined) attrs += ` direction="${d.direction}"`;
  let stateAttrs = "";
  if (d.stateEvent !== undefined) stateAttrs += ` event="${escapeAttr(d.stateEvent)}"`;
  if (d.stateCode !== undefined) stateAttrs += ` code="${d.stateCode}"`;
  let out = `<dialog${attrs}><state${stateAttrs}>${d.state}</state>`;
  if (d.duration !== undefined) out += `<duration>${d.duration}</duration>`;
  const rendering = d.held === undefined ? undefined : d.held ? "no" : "yes";
  if (d.local !== undefined || rendering !== undefined) out += writeParticipant("local", d.local ?? {}, rendering, entity);
  if (d.remote !== undefined) out += writeParticipant("remote", d.remote, undefined, entity);
  return `${out}</dialog>`;
}

function writeParticipant(tag: string, p: DialogParticipant, rendering: string | undefined, entity: string): string {
  let out = `<${tag}>`;
  if (p.identity !== undefined || p.displayName !== undefined) {
    const display = p.displayName === undefined ? "" : ` display="${escapeAttr(p.displayName)}"`;
    out += p.identity === undefined ? `<identity${display}/>` : `<identity${display}>${escapeText(p.identity)}</identity>`;
  }
  if (p.target !== undefined || rendering !== undefined) {
    const uri = escapeAttr(p.target ?? entity);
    out += rendering === undefined
      ? `<target uri="${uri}"/>`
      : `<target uri="${uri}"><param pname="+sip.rendering" pvalue="${rendering}"/></target>`;
  }
  return `${out}</${tag}>`;
}
