/** Header values the notifier and the PUBLISH receiver read and write (RFC 6665 §8.2, RFC 3903 §11). */
import type { SipEventPackage } from "../gateway/ports.js";
import type { SendNotifyParams } from "../../machines/sip-notifier.machine.js";

export const EVENT_PACKAGES: readonly SipEventPackage[] = ["presence", "dialog"];

/** RFC 6665 §8.2.1: `Allow-Events` lists the packages we serve (sent with 489). */
export const ALLOW_EVENTS = `Allow-Events: ${EVENT_PACKAGES.join(", ")}`;

/** The body type of each package's NOTIFY (RFC 3856 §6.5, RFC 4235 §4.2). */
export const NOTIFY_TYPE: Readonly<Record<SipEventPackage, string>> = {
  presence: "application/pidf+xml",
  dialog: "application/dialog-info+xml",
};

export interface EventHeader {
  /** The package name, lower case (`presence`), or whatever unknown one was asked for. */
  readonly name: string;
  /** RFC 6665 §8.2.1 `id` parameter; NOTIFYs echo it. */
  readonly id?: string;
  /** The header value as received, for the NOTIFY's Event header (RFC 6665 §8.2.1: must match). */
  readonly raw: string;
}

/** `Event: presence;id=1` (compact form `o:` is expanded by the parser). */
export function parseEvent(value: string | undefined): EventHeader | undefined {
  if (value === undefined) return undefined;
  const [name = "", ...params] = value.split(";").map((p) => p.trim());
  if (name === "") return undefined;
  const id = params.map((p) => /^id\s*=\s*(.+)$/i.exec(p)?.[1]).find((v) => v !== undefined);
  return { name: name.toLowerCase(), ...(id === undefined ? {} : { id }), raw: value.trim() };
}

export const isEventPackage = (name: string): name is SipEventPackage => (EVENT_PACKAGES as readonly string[]).includes(name);

/** RFC 3261 §20.19 `Expires: delta-seconds`; undefined when absent, NaN when malformed. */
export function parseExpires(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (!/^\d{1,10}$/.test(text)) return Number.NaN;
  return Math.min(Number(text), 2 ** 32 - 1);
}

/**
 * RFC 6665 §4.2.2 / §8.2.3: `Subscription-State` at send time. `expires` counts down
 * from the machine's deadline so a NOTIFY never promises more than was granted.
 */
export function subscriptionStateHeader(params: SendNotifyParams, now: number): string {
  if (params.subscriptionState === "terminated") {
    return params.reason === undefined ? "terminated" : `terminated;reason=${params.reason}`;
  }
  const left = params.expiresAt === undefined ? 0 : Math.max(0, Math.ceil((params.expiresAt - now) / 1000));
  return `${params.subscriptionState};expires=${left}`;
}

/**
 * RFC 6665 §7.2.1 / RFC 3261 §20.1: does an `Accept` list take this type? No Accept means
 * the package's default (RFC 6665 §8.2.1); `type/*` and `*\/*` match.
 */
export function accepts(acceptValues: readonly string[], type: string): boolean {
  if (acceptValues.length === 0) return true;
  const wanted = type.toLowerCase();
  const [major] = wanted.split("/");
  return acceptValues.flatMap((v) => v.split(",")).some((entry) => {
    const media = (entry.split(";", 1)[0] ?? "").trim().toLowerCase();
    return media === wanted || media === "*/*" || media === `${major}/*`;
  });
}
