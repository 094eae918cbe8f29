// Just enough types for the two libraries only the alternative uses (express 5, xml2js), so the bench type-checks without @types packages.
declare module 'xml2js' {
  export function parseStringPromise(xml: string): Promise<any>;
}

declare module 'express' {
  import type { IncomingMessage, ServerResponse, Server } from 'node:http';
  interface Request extends IncomingMessage {
    body: any;
  }
  interface Response extends ServerResponse {
    status(code: number): Response;
    json(body: unknown): Response;
  }
  type Handler = (req: Request, res: Response, next: (err?: unknown) => void) => unknown;
  interface App {
    use(h: Handler): App;
    get(path: string, h: (req: Request, res: Response) => unknown): App;
    post(path: string, h: (req: Request, res: Response) => unknown): App;
    listen(port: number, host: string, cb?: () => void): Server;
  }
  interface Express {
    (): App;
    text(opts: { type: string; limit: string }): Handler;
  }
  const express: Express;
  export default express;
}
