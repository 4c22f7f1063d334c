/** sip.js's own log lines, routed into our structured logger instead of the console. */
import { Core } from "sip.js";
import type { Logger } from "../gateway/ports.js";

/** sip.js logs free text; keep it, under one event name, with its category (`sip.user-agent-core` …). */
export function sipJsLoggerFactory(logger: Logger): Core.LoggerFactory {
  const factory = new Core.LoggerFactory();
  factory.builtinEnabled = false;
  factory.level = Core.Levels.warn;
  factory.connector = (level, category, _label, content) => {
    const fields = { category, detail: typeof content === "string" ? content : String(content) };
    if (level === "error") logger.warn("sip.core.error", fields);
    else if (level === "warn") logger.debug("sip.core.warning", fields);
    else logger.debug("sip.core.log", fields);
  };
  return factory;
}
