import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { UsersService } from '../users/users.service';
import { User } from '../users/user.entity';

export const ROLES = 'roles';
export const Roles = (...roles: string[]) => SetMetadata(ROLES, roles);
export const API_KEYS = 'API_KEYS';

/** The caller, as the guard found it from the X-Api-Key header. */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): User | undefined =>
  ctx.switchToHttp().getRequest<Request & { user?: User }>().user);

/** Lets a request through when its X-Api-Key names a user holding one of the handler's roles. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly users: UsersService,
    @Inject(API_KEYS) private readonly keys: Map<string, number>,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<string[] | undefined>(ROLES, [context.getHandler(), context.getClass()]);
    const req = context.switchToHttp().getRequest<Request & { user?: User }>();
    const key = req.headers['x-api-key'];
    const id = typeof key === 'string' ? this.keys.get(key) : undefined;
    req.user = id === undefined ? undefined : this.users.findOne(id);
    if (!roles) return true;
    return !!req.user && roles.includes(req.user.role);
  }
}
