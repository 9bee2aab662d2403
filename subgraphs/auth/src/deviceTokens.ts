import { createHmac, hkdfSync, randomBytes, timingSafeEqual, type KeyObject } from "node:crypto";

/** The longest device token accepted: anything longer is no token of ours, and is not hashed. */
const MAX_TOKEN_LENGTH = 128;

/**
 * OWASP's "device cookies": a successful sign-in returns an opaque token bound to the account,
 * and a later sign-in that presents it is counted apart from the account's failures, so the
 * owner of a known device still signs in while someone else's guesses keep the account under
 * failure delays. A token is `<device id>.<expiry>.<MAC>`: the MAC (HMAC-SHA256) covers the
 * user id, so it is valid for that account only, and nothing is stored. The MAC key is derived
 * from the token signing key (HKDF), so every auth instance agrees; a new signing key
 * invalidates the device tokens, which costs their holders only the failure delays.
 */
export class DeviceTokens {
  private readonly secret: Buffer;

  /**
   * @param signingKey the access-token signing key, the source of the MAC key
   * @param ttlSeconds `DEVICE_TOKEN_TTL`: how long a device token is valid, default 30 days
   */
  constructor(
    signingKey: KeyObject,
    private readonly ttlSeconds: number,
  ) {
    const material = signingKey.export({ format: "der", type: "pkcs8" });
    this.secret = Buffer.from(hkdfSync("sha256", material, Buffer.alloc(0), "batch-supergraph device token", 32));
  }

  private mac(userId: string, deviceId: string, expires: string): Buffer {
    return createHmac("sha256", this.secret).update(`${userId}.${deviceId}.${expires}`).digest();
  }

  /** A new device token of the user. */
  issue(userId: string): string {
    const deviceId = randomBytes(16).toString("base64url");
    const expires = String(Math.floor(Date.now() / 1000) + this.ttlSeconds);
    return `${deviceId}.${expires}.${this.mac(userId, deviceId, expires).toString("base64url")}`;
  }

  /**
   * The device id of a valid, unexpired device token of this user; `undefined` for anything
   * else (no token, another account's, forged, expired). The same work either way.
   */
  deviceOf(token: string | null | undefined, userId: string): string | undefined {
    if (!token || token.length > MAX_TOKEN_LENGTH) return undefined;
    const [deviceId = "", expires = "", mac = "", ...rest] = token.split(".");
    const expected = this.mac(userId, deviceId, expires);
    const given = Buffer.from(mac, "base64url");
    const genuine = given.length === expected.length && timingSafeEqual(given, expected);
    const current = /^\d{1,12}$/.test(expires) && Number(expires) > Date.now() / 1000;
    return genuine && current && rest.length === 0 && deviceId !== "" ? deviceId : undefined;
  }
}
