import { optional, text } from "../variable.js";

/** The first accounts `npm run db:prepare` creates (`scripts/seed.ts`). */

export const ADMIN_EMAIL = text({
  name: "ADMIN_EMAIL",
  description: "the first admin the seed creates",
  readers: ["prepare"],
  default: "admin@example.com",
});

/** The admin's password when `ADMIN_PASSWORD` is unset outside production. */
export const DEVELOPMENT_ADMIN_PASSWORD = "admin-password";

export const ADMIN_PASSWORD = optional({
  name: "ADMIN_PASSWORD",
  description: "that admin's password; the seed refuses to run in production without it",
  readers: ["prepare"],
  shownDefault: `\`${DEVELOPMENT_ADMIN_PASSWORD}\` outside production; required in production`,
});
