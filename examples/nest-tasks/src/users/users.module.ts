import { Module } from '@nestjs/common';
import { API_KEYS } from '../common/roles';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  controllers: [UsersController],
  providers: [
    UsersService,
    {
      provide: API_KEYS,
      useFactory: () => new Map<string, number>([[process.env.API_KEY ?? 'ada-key', 1], ['grace-key', 2]]),
    },
  ],
  exports: [UsersService, API_KEYS],
})
export class UsersModule {}
