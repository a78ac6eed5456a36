/** CSV (RFC 4180, header line) and JSON Lines writers; numbers as JavaScript prints them, NaN as empty / null. */
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import type { Column } from '../run.js';
import { NULL_CODE, type TableWriter } from './table.js';

const FLUSH_BYTES = 1 << 20;

function csvText(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

abstract class LineWriter implements TableWriter {
  private fd?: number;
  private pending: string[] = [];
  private pendingBytes = 0;
  protected headerDone = false;

  constructor(private readonly path: string) {}

  protected push(line: string): void {
    this.pending.push(line);
    this.pendingBytes += line.length + 1;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
  }

  private flush(): void {
    if (this.fd === undefined) this.fd = openSync(this.path, 'w');
    if (this.pending.length > 0) writeSync(this.fd, `${this.pending.join('\n')}\n`);
    this.pending = [];
    this.pendingBytes = 0;
  }

  abstract write(columns: readonly Column[], length: number): void;

  finish(): void {
    this.flush();
    closeSync(this.fd!);
    this.fd = undefined;
  }

  abort(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    rmSync(this.path, { force: true });
  }
}

function cell(c: Column, i: number): string | number | null {
  const v = c.data[i];
  if (c.type === 'string') return v === NULL_CODE || c.labels === undefined || v >= c.labels.length ? null : c.labels[v];
  return Number.isNaN(v) ? null : v;
}

export class CsvTableWriter extends LineWriter {
  write(columns: readonly Column[], length: number): void {
    if (!this.headerDone) {
      this.push(columns.map((c) => csvText(c.name)).join(','));
      this.headerDone = true;
    }
    for (let i = 0; i < length; i += 1) {
      let line = '';
      for (let k = 0; k < columns.length; k += 1) {
        const v = cell(columns[k], i);
        if (k > 0) line += ',';
        if (v !== null) line += typeof v === 'string' ? csvText(v) : String(v);
      }
      this.push(line);
    }
  }
}

export class JsonlTableWriter extends LineWriter {
  write(columns: readonly Column[], length: number): void {
    this.headerDone = true;
    const keys = columns.map((c) => JSON.stringify(c.name));
    for (let i = 0; i < length; i += 1) {
      let line = '{';
      for (let k = 0; k < columns.length; k += 1) {
        const v = cell(columns[k], i);
        if (k > 0) line += ',';
        line += `${keys[k]}:${v === null ? 'null' : typeof v === 'string' ? JSON.stringify(v) : String(v)}`;
      }
      this.push(`${line}}`);
    }
  }
}
