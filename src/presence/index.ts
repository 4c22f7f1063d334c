/** The canonical presence: values, composition, equality. Pure; imports nothing of ours. */
export * from "./types.js";
export { makeEntry, makePresence, type EntryFields, type PresenceFields } from "./make.js";
export { presenceEquals, presenceKey, type EqualsOptions } from "./equals.js";
export { compose, leadOrder, type PresentityFacts } from "./compose.js";
export { isEngaged, PHONE_ORDER, SHOW_ORDER } from "./order.js";
export { pidfToXmppPriority, xmppToPidfPriority } from "./priority.js";
