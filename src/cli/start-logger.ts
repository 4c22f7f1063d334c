/** Structured logs for `presence-bridge start`: one JSON object per line on stderr (STYLE.md §11). */
import type { LogFields, Logger } from "../gateway/ports.js";

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof LEVELS;

export function jsonLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const floor = LEVELS[level];
  const at = (name: LogLevel) => (event: string, fields?: LogFields): void => {
    if (LEVELS[name] < floor) return;
    let line: string;
    try {
      line = JSON.stringify({ time: new Date().toISOString(), level: name, event, ...fields });
    } catch {
      line = JSON.stringify({ time: new Date().toISOString(), level: name, event, note: "fields not serialisable" });
    }
    write(`${line}\n`);
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
