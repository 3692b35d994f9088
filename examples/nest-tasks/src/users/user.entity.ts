import { Exclude, Expose } from 'class-transformer';

export class User {
  id: number;
  name: string;
  role: 'admin' | 'member';

  @Exclude()
  passwordHash: string;

  constructor(partial: Partial<User>) {
    Object.assign(this, partial);
  }

  @Expose()
  get initials(): string {
    return this.name.split(/\s+/).map((part) => part[0]).join('').toUpperCase();
  }
}
