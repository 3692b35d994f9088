import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Observable, map } from 'rxjs';

export const SKIP_ENVELOPE = 'skipEnvelope';
export const SkipEnvelope = () => SetMetadata(SKIP_ENVELOPE, true);

/** Wraps what a handler returns as `{ data, meta }`, unless the handler opts out. */
@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  private readonly reflector = new Reflector();

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (this.reflector.get<boolean>(SKIP_ENVELOPE, context.getHandler())) return next.handle();
    const started = context.switchToHttp().getRequest().method;
    return next.handle().pipe(
      map((data) => (data === undefined ? undefined : { data, meta: { method: started, count: Array.isArray(data) ? data.length : undefined } })),
    );
  }
}
