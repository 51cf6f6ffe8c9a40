import { closeSync, openSync, renameSync, rmSync, unlinkSync, writeSync } from "node:fs";
import { refuseDirectory, writeFailure } from "./files.ts";

const FLUSH_CHARS = 1 << 20;

/**
 * A file written in chunks through a buffer, so a large trace never sits in memory, and made
 * visible only when complete: it is written to a temporary name and renamed by `commit()`;
 * `abort()` removes it, so a failed run leaves nothing half-written.
 */
export class StreamedFile {
  private readonly temporaryPath: string;
  private readonly fd: number;
  private buffer: string[] = [];
  private bufferedChars = 0;
  private closed = false;

  readonly path: string;

  constructor(path: string) {
    this.path = path;
    this.temporaryPath = `${path}.partial-${process.pid}`;
    refuseDirectory(path);
    try {
      this.fd = openSync(this.temporaryPath, "w");
    } catch (error) {
      throw writeFailure(path, error);
    }
  }

  readonly write = (chunk: string): void => {
    this.buffer.push(chunk);
    this.bufferedChars += chunk.length;
    if (this.bufferedChars >= FLUSH_CHARS) this.flush();
  };

  private flush(): void {
    if (this.buffer.length === 0) return;
    writeSync(this.fd, this.buffer.join(""));
    this.buffer = [];
    this.bufferedChars = 0;
  }

  commit(): void {
    this.flush();
    closeSync(this.fd);
    this.closed = true;
    try {
      renameSync(this.temporaryPath, this.path);
    } catch (error) {
      rmSync(this.temporaryPath, { force: true });
      throw error;
    }
  }

  abort(): void {
    if (this.closed) return;
    closeSync(this.fd);
    this.closed = true;
    unlinkSync(this.temporaryPath);
  }
}

/** Runs `body` with a streamed file that is committed on success and removed on failure. */
export function withStreamedFile<T>(path: string, body: (write: (chunk: string) => void) => T): T {
  const file = new StreamedFile(path);
  try {
    const result = body(file.write);
    file.commit();
    return result;
  } catch (error) {
    file.abort();
    throw error;
  }
}
