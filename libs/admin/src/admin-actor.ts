import type { Request } from 'express';

export function clientAddress(request: Request): string {
  return request.ip ?? request.socket.remoteAddress ?? 'unknown';
}

/** Who did it and from where, for an audit record. */
export function actor(request: Request, admin: { id: string; email: string }) {
  return { adminUserId: admin.id, actorEmail: admin.email, ip: clientAddress(request) };
}
