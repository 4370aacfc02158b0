import pg from 'pg';
import type { DataSource } from 'typeorm';

import { ENCRYPTED_COLUMNS } from './encrypted-columns.js';
import type { SecretBox } from './secret-box.js';

const BATCH = 500;

export interface RotationReport {
  table: string;
  column: string;
  reencrypted: number;
}

/** Re-encrypts every secret written with an older key under the newest one, batch by batch. */
export async function rotateEncryptionKeys(dataSource: DataSource, secretBox: SecretBox): Promise<RotationReport[]> {
  const reports: RotationReport[] = [];
  // The key id is compared as a whole field, never as a LIKE pattern (`_` and `%` would be wildcards).
  const current = secretBox.currentKeyId;
  for (const [table, columns] of Object.entries(ENCRYPTED_COLUMNS)) {
    for (const column of columns) {
      const t = pg.escapeIdentifier(table);
      const c = pg.escapeIdentifier(column);
      let reencrypted = 0;
      for (;;) {
        const rows: { id: string; value: string }[] = await dataSource.query(
          `SELECT id, ${c} AS value FROM ${t} WHERE ${c} IS NOT NULL AND split_part(${c}, ':', 2) <> $1 LIMIT ${BATCH}`,
          [current],
        );
        if (rows.length === 0) break;
        await dataSource.transaction(async (manager) => {
          for (const row of rows) {
            const location = { table, column, id: row.id };
            const plaintext = secretBox.decryptToBuffer(row.value, location);
            await manager.query(`UPDATE ${t} SET ${c} = $1 WHERE id = $2 AND ${c} = $3`, [
              secretBox.encrypt(plaintext, location),
              row.id,
              row.value,
            ]);
          }
        });
        reencrypted += rows.length;
      }
      reports.push({ table, column, reencrypted });
    }
  }
  return reports;
}
