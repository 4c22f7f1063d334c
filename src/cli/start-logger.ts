/**
 * Logs of `presence-bridge start` (STYLE.md §11): pino, one JSON object per line
 * on stderr with the event name under `event`; on a terminal, pino-pretty's
 * readable form instead. Both implement the gateway's Logger port.
 */
import { Writable } from "node:stream";
import { pino, stdTimeFunctions, type DestinationStream, type Logger as Pino } from "pino";
import pretty from "pino-pretty";
import type { LogFields, Logger } from "../gateway/ports.js";

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface LoggerOptions {
  /** Readable lines (a terminal) instead of JSON lines. Default: whether stderr is a TTY. */
  readonly pretty?: boolean;
  /** Where lines go. Default: stderr. */
  readonly write?: (line: string) => void;
}

function destination(options: LoggerOptions): DestinationStream {
  const write = options.write;
  const readable = options.pretty ?? process.stderr.isTTY === true;
  if (readable) {
    return pretty({
      destination: write === undefined ? 2 : new Writable({ write: (chunk, _enc, done) => (write(String(chunk)), done()) }),
      messageKey: "event",
      translateTime: "SYS:HH:MM:ss.l",
      ignore: "pid,hostname",
      colorize: write === undefined,
      sync: true,
    });
  }
  return write === undefined ? pino.destination({ dest: 2, sync: true }) : { write };
}

/** The Logger port over pino. */
export function createLogger(level: LogLevel, options: LoggerOptions = {}): Logger {
  const base: Pino = pino(
    {
      level,
      base: undefined,
      messageKey: "event",
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination(options),
  );
  const at = (name: LogLevel) => (event: string, fields?: LogFields): void => base[name](fields ?? {}, event);
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
