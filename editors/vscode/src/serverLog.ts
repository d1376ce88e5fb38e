/**
 * The server's stderr: one `<date> <time> <LEVEL> <logger>: <message>` line per log record
 * (docs/CONTRACT.md, "Log lines"; test/contract/serverLog.contract.test.ts reads the real ones).
 * The language client files every stderr line as an error with its own timestamp; this files
 * each at its level without the second timestamp, and hands a failed completion's reason to the
 * status bar, which otherwise shows "ready" while every request fails (an unreachable endpoint
 * tells the user nothing else). No `vscode` import, so it tests without fakes.
 */
import * as readline from "node:readline";
import type { Readable } from "node:stream";

export type ServerLogLevel = "debug" | "info" | "warning" | "error";

export interface ServerLogLine {
  level: ServerLogLevel;
  /** `logger: message`, the server's own timestamp dropped. */
  text: string;
  /** Why a completion failed, when the line says one did. */
  failure?: string;
}

const RECORD = /^\S+ \S+ (DEBUG|INFO|WARNING|ERROR|CRITICAL) (\S+): (.*)$/;
const FAILURE = /^completion failed: (.*)$/;

/** A line the server wrote; a line of any other shape (a traceback) is an error as it stands. */
export function parseServerLine(line: string): ServerLogLine {
  const match = RECORD.exec(line);
  if (!match) {
    return { level: "error", text: line };
  }
  const [, level, logger, message] = match;
  const failure = FAILURE.exec(message)?.[1];
  return {
    level: level === "CRITICAL" ? "error" : (level.toLowerCase() as ServerLogLevel),
    text: `${logger}: ${message}`,
    ...(failure !== undefined ? { failure } : {}),
  };
}

/** The channel methods the lines go to (a `vscode.LogOutputChannel` has them). */
export interface LevelledLog {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Reads `stderr` line by line into `log` at each line's level; failures go to `onFailure`. */
export function pipeServerLog(stderr: Readable, log: LevelledLog, onFailure: (reason: string) => void): void {
  readline.createInterface({ input: stderr, crlfDelay: Infinity, terminal: false }).on("line", (raw) => {
    const line = parseServerLine(raw);
    const file = { debug: log.debug, info: log.info, warning: log.warn, error: log.error }[line.level];
    file.call(log, line.text);
    if (line.failure !== undefined) {
      onFailure(line.failure);
    }
  });
}
