import { readBackingServices, type BackingServices } from "./service.js";
import type { Env } from "./variable.js";
import { ADMIN_EMAIL, ADMIN_PASSWORD, DEVELOPMENT_ADMIN_PASSWORD } from "./variables/seed.js";
import { NODE_ENV } from "./variables/services.js";

/** What `npm run db:prepare` reads: the backing services to check, and the first admin to seed. */
export interface PrepareConfig extends BackingServices {
  /** `NODE_ENV === "production"`: no demo accounts, and no default admin password. */
  production: boolean;
  admin: {
    /** `ADMIN_EMAIL`, default `admin@example.com`, lower-cased. */
    email: string;
    /** `ADMIN_PASSWORD`; default `admin-password` outside production, none (seeding refused) in production. */
    password: string | undefined;
  };
}

export function readPrepareConfig(env: Env): PrepareConfig {
  const production = NODE_ENV.read(env);
  const password = ADMIN_PASSWORD.read(env);
  return {
    ...readBackingServices(env),
    production,
    // A known default password is fine on a laptop, never on a real installation.
    admin: { email: ADMIN_EMAIL.read(env).toLowerCase(), password: production ? password : (password ?? DEVELOPMENT_ADMIN_PASSWORD) },
  };
}
