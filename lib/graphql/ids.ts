import DataLoader from "dataloader";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `id` can be a row id at all: PostgreSQL refuses anything else as a `uuid`. */
export const isUuid = (id: string): boolean => UUID.test(id);

/**
 * A per-request loader of rows by UUID: every lookup of a tick becomes one
 * `WHERE id IN (...)` statement. A malformed id is simply not found (`null`), since sending
 * it would make PostgreSQL fail the whole batch.
 */
export function byIdLoader<T extends { id: string }>(find: (ids: string[]) => Promise<T[]>): DataLoader<string, T | null> {
  return new DataLoader(async (ids) => {
    const valid = ids.filter(isUuid).map((id) => id.toLowerCase());
    const rows = valid.length > 0 ? await find(valid) : [];
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
  });
}
