import express, { type ErrorRequestHandler, type Response } from "express";

/** Answers a request refused before GraphQL runs, in the GraphQL error shape. */
export const refuse = (res: Response, status: number, code: string, message: string) => {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
};

/**
 * A body `express.json` could not read (a charset or content encoding it does not know, a
 * corrupt gzip stream, malformed JSON, too large): its 4xx status, with `BAD_REQUEST` (or
 * `PAYLOAD_TOO_LARGE`) rather than a masked internal error.
 */
const unreadableBody: ErrorRequestHandler = (err, _req, res, next) => {
  const status = err?.status ?? err?.statusCode;
  if (typeof status !== "number" || status < 400 || status >= 500) return next(err);
  const message = err.expose === true && typeof err.message === "string" ? err.message : "Unreadable request body";
  refuse(res, status, status === 413 ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST", message);
};

/** `express.json` with at most `limit` bytes, whose client errors are answered as such. */
export function readJsonBody(limit: number): express.Router {
  return express.Router().use(express.json({ limit }), unreadableBody);
}
