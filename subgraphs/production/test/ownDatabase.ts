import { cloneTestDatabase } from "../../../test/support/database.js";

/**
 * A migrated database for one test file. The outbox relay is one per database: a test that
 * checks what is published runs its relays where no other test's relay can take the lock.
 */
export const createOwnDatabase = () => cloneTestDatabase();
