/** The one row an `INSERT … RETURNING` gave back; none is a bug, said with what was not stored (`the alert channel`). */
export function insertedRow<T>(rows: readonly T[], what: string): T {
  const [row] = rows;
  if (row === undefined) throw new Error(`The ${what} was not stored.`);
  return row;
}
