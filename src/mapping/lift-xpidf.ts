/**
 * XPIDF (the pre-standard Microsoft/Cisco format Asterisk and older phones send)
 * → one entry per `<address>`: open/closed/inuse and `<msnsubstatus>` become
 * availability, phone state and RPID activities.
 */
import { makeEntry, pidfToXmppPriority } from "../presence/index.js";
import type { PhoneState, PresenceEntry } from "../presence/types.js";
import type { XpidfAddress, XpidfDocument } from "../pidf/types.js";
import type { Lifted } from "./lift-pidf.js";

/** `<msnsubstatus substatus>` values and the RPID activity each one means. */
const SUBSTATUS_ACTIVITY: Readonly<Record<string, string>> = {
  busy: "busy",
  away: "away",
  berightback: "away",
  idle: "away",
  onthephone: "on-the-phone",
  outtolunch: "lunch",
};

function addressEntry(address: XpidfAddress, index: number): PresenceEntry {
  const substatus = address.substatus?.toLowerCase();
  const activity = substatus === undefined ? undefined : SUBSTATUS_ACTIVITY[substatus];
  const inCall = address.status === "inuse" || substatus === "onthephone";
  const phone: PhoneState | undefined = inCall ? "in-call" : undefined;
  return makeEntry({
    id: address.uri === "" ? String(index) : address.uri,
    availability: address.status === "closed" ? "unavailable" : "available",
    activities: activity === undefined ? [] : [activity],
    priority: address.priority === undefined ? 0 : pidfToXmppPriority(address.priority),
    contact: address.uri,
    ...(phone === undefined ? {} : { phone }),
  });
}

/** `basic` is open when an address is open or in use (the phone is registered), closed when all are closed. */
export function liftXpidf(doc: XpidfDocument): Lifted {
  const entries = doc.addresses.map(addressEntry);
  const open = doc.addresses.some((a) => a.status !== "closed");
  const basic = doc.addresses.length === 0 ? undefined : open ? "open" : "closed";
  return { entries, presentity: {}, ...(basic === undefined ? {} : { basic }), idle: false };
}
