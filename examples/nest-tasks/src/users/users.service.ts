import { Injectable, NotFoundException } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { User } from './user.entity';

@Injectable()
export class UsersService {
  private readonly users = [
    new User({ id: 1, name: 'Ada Lovelace', role: 'admin', passwordHash: createHash('sha256').update('analytical').digest('hex') }),
    new User({ id: 2, name: 'Grace Hopper', role: 'member', passwordHash: createHash('sha256').update('cobol').digest('hex') }),
  ];

  findAll(): User[] {
    return this.users;
  }

  findOne(id: number): User {
    const user = this.users.find((u) => u.id === id);
    if (!user) throw new NotFoundException(`user ${id} not found`);
    return user;
  }
}
