import type { RequestHandler } from "express";
import helmet from "helmet";

/**
 * Where Apollo Sandbox, the development landing page, loads its code from: the sources the
 * page's own `<meta>` policy names (`@apollo/server`'s `plugin/landingPage/default`). Both
 * policies apply, so this one must allow them too: the CDN scripts, the inline bootstrap
 * (nonce'd by Apollo, which a header cannot know, hence `'unsafe-inline'` here), the styles and
 * fonts, and the Sandbox frame.
 */
const APOLLO_CDN = [
  "https://apollo-server-landing-page.cdn.apollographql.com",
  "https://embeddable-sandbox.cdn.apollographql.com",
  "https://embeddable-explorer.cdn.apollographql.com",
];

const SANDBOX_POLICY = {
  "default-src": ["'self'"],
  "base-uri": ["'self'"],
  "form-action": ["'self'"],
  "frame-ancestors": ["'none'"],
  "object-src": ["'none'"],
  "script-src": ["'self'", "'unsafe-inline'", ...APOLLO_CDN],
  "style-src": ["'self'", "'unsafe-inline'", ...APOLLO_CDN, "https://fonts.googleapis.com"],
  "font-src": ["'self'", "https://fonts.gstatic.com"],
  "img-src": ["'self'", "data:", "https://apollo-server-landing-page.cdn.apollographql.com"],
  "manifest-src": ["'self'", "https://apollo-server-landing-page.cdn.apollographql.com"],
  "frame-src": ["https://sandbox.embed.apollographql.com", "https://explorer.embed.apollographql.com"],
  "connect-src": ["'self'"],
};

/** Outside development every answer is JSON or Prometheus text: nothing may load, nobody may frame it. */
const STRICT_POLICY = {
  "default-src": ["'none'"],
  "base-uri": ["'none'"],
  "form-action": ["'none'"],
  "frame-ancestors": ["'none'"],
};

/**
 * Security headers on every response (helmet): `X-Content-Type-Options: nosniff`,
 * `Referrer-Policy: no-referrer`, `X-Frame-Options: DENY`, a Content Security Policy (strict
 * in production, Apollo Sandbox's sources allowed in development), and helmet's other defaults
 * (HSTS, cross-origin policies). Mount it first, so that errors and 404s carry them too.
 */
export function securityHeaders({ production }: { production: boolean }): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: production ? STRICT_POLICY : SANDBOX_POLICY },
    referrerPolicy: { policy: "no-referrer" },
    xFrameOptions: { action: "deny" },
  }) as RequestHandler;
}
