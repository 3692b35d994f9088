import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { Request, Response } from 'express';

/** One error shape for the whole API; unexpected errors become a 500 that hides their text. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost) {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const req = http.getRequest<Request>();
    const status = exception instanceof HttpException ? exception.getStatus() : HttpStatus.INTERNAL_SERVER_ERROR;
    const body = exception instanceof HttpException ? exception.getResponse() : { message: 'Internal server error' };
    if (!(exception instanceof HttpException)) console.error(`unhandled error on ${req.method} ${req.url}:`, (exception as Error).message);
    res.status(status).json({
      statusCode: status,
      path: req.url,
      error: typeof body === 'string' ? { message: body } : body,
    });
  }
}
