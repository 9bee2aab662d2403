import type express from "express";
import type { RestRoute } from "./route.js";

/** The parts of Express 5's router internals {@link registeredRoutes} reads. */
interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/**
 * Every `METHOD path` an Express app or router actually serves through routes (not
 * middleware), walking routers mounted without a path. What the OpenAPI document is checked
 * against, so the document can never list a route that does not exist, or miss one.
 */
export function registeredRoutes(router: express.Router | express.Express): string[] {
  const stack: Layer[] = ("router" in router ? (router.router as unknown as { stack: Layer[] }) : (router as unknown as { stack: Layer[] })).stack;
  return stack.flatMap((layer) => {
    if (layer.route) {
      const { path, methods } = layer.route;
      return Object.keys(methods)
        .filter((method) => method !== "_all")
        .map((method) => `${method.toUpperCase()} ${path}`);
    }
    return layer.handle?.stack ? registeredRoutes(layer.handle as express.Router) : [];
  });
}

/** Every `METHOD path` of an OpenAPI document, paths in Express form. */
export function documentedRoutes(document: { paths: Record<string, Record<string, unknown>> }): string[] {
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`),
  );
}

/** Every `METHOD path` of a route table, in the form {@link registeredRoutes} gives. */
export function tableRoutes(routes: readonly RestRoute[]): string[] {
  return routes.map((route) => `${route.method.toUpperCase()} ${route.path}`);
}
