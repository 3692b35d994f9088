import { Controller, Get, Header, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { SkipEnvelope } from './common/envelope.interceptor';

@Controller()
export class AppController {
  @Get()
  @SkipEnvelope()
  index() {
    return { name: 'nest-tasks', docs: '/api/tasks', nest: true };
  }

  @Get('health')
  @SkipEnvelope()
  @Header('Cache-Control', 'no-store')
  health() {
    return 'ok';
  }

  @Get('echo-headers')
  echoHeaders(@Req() req: Request) {
    return { userAgent: req.headers['user-agent'] ?? null, requestId: req.headers['x-request-id'] ?? null, path: req.path };
  }

  @Post('boom')
  @HttpCode(200)
  boom(): never {
    throw new Error('the task database is on fire');
  }
}
