/** DuckDB results to Arrow IPC: every type the page can meet decodes to the value it had in DuckDB. */
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC } from '@uwdata/flechette';
import { describe, expect, it } from 'vitest';
import { resultToArrowIPC } from '../src/server/arrow.js';

describe('resultToArrowIPC', () => {
  it('keeps numbers, text, booleans, nulls and duplicate names', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const reader = await connection.runAndReadAll(`
        SELECT * FROM (VALUES
          (1::INTEGER, 17179869184::BIGINT, 3.25::DECIMAL(10,2), 'h800', 1.5::DOUBLE, true, [1, 2], TIMESTAMP '2024-01-02 03:04:05', 10::HUGEINT, 1),
          (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 2)
        ) AS t(i, b, d, s, f, bo, l, ts, h, x)`);
      const table = tableFromIPC(resultToArrowIPC(reader));
      expect(table.toArray()).toEqual([
        { i: 1, b: 17179869184, d: 3.25, s: 'h800', f: 1.5, bo: true, l: '[1,2]', ts: Date.UTC(2024, 0, 2, 3, 4, 5), h: 10, x: 1 },
        { i: null, b: null, d: null, s: null, f: null, bo: null, l: null, ts: null, h: null, x: 2 },
      ]);
      const dup = tableFromIPC(resultToArrowIPC(await connection.runAndReadAll('SELECT 1 AS a, 2 AS a')));
      expect(dup.schema.fields.map((f) => f.name)).toEqual(['a', 'a']);
      expect(dup.getChildAt(1)?.at(0)).toBe(2);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
