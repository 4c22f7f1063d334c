/** Header values a UAC acts on, read leniently (a malformed value is as good as none). */
import type { Core } from "sip.js";

/** `Expires: 600`, `Min-Expires: 1800` (RFC 3261 §20.19, §20.23): delta-seconds. */
export function numberHeader(message: Core.IncomingMessage, name: string): number | undefined {
  const value = message.getHeader(name)?.trim();
  return value !== undefined && /^\d{1,10}$/.test(value) ? Number(value) : undefined;
}

/** RFC 3261 §20.33 `Retry-After: 120 (comment);duration=60` → 120 (seconds). */
export function retryAfterSeconds(message: Core.IncomingMessage): number | undefined {
  const m = /^\s*(\d{1,10})/.exec(message.getHeader("retry-after") ?? "");
  return m ? Number(m[1]) : undefined;
}
