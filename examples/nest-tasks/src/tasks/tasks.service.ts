import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { CreateTaskDto } from './dto/create-task.dto';
import { ListTasksQuery } from './dto/list-tasks.query';
import { UpdateTaskDto } from './dto/update-task.dto';
import { Priority, Task } from './task';

const RANK: Record<Priority, number> = { high: 0, normal: 1, low: 2 };

/** 'Água para as plantas' -> 'agua-para-as-plantas': accents dropped (NFD, then no marks). */
export function slugify(title: string): string {
  return title.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

@Injectable()
export class TasksService {
  private nextId = 4;
  private readonly tasks: Task[] = [
    { id: 1, title: 'Write the release notes', priority: 'high', tags: ['docs'], due: '2026-12-24', done: false, ownerId: 1 },
    { id: 2, title: 'Review pull requests', priority: 'normal', tags: ['code', 'review'], done: true, ownerId: 2 },
    { id: 3, title: 'Água para as plantas', priority: 'low', tags: ['home'], done: false, ownerId: 2 },
  ].map((task) => ({ ...task, slug: slugify(task.title) }) as Task);

  list(query: ListTasksQuery): Task[] {
    let found = this.tasks.filter((t) => (query.tag === undefined || t.tags.includes(query.tag))
      && (query.done === undefined || t.done === query.done));
    const sort = query.sort ?? 'id';
    found = [...found].sort((a, b) => (sort === 'priority' ? RANK[a.priority] - RANK[b.priority] || a.id - b.id
      : sort === 'title' ? a.title.localeCompare(b.title) : a.id - b.id));
    return found.slice(0, query.limit ?? 20);
  }

  get(id: number): Task {
    const task = this.tasks.find((t) => t.id === id);
    if (!task) throw new NotFoundException(`task ${id} not found`);
    return task;
  }

  create(dto: CreateTaskDto, ownerId: number): Task {
    if (this.tasks.some((t) => t.title.toLowerCase() === dto.title.toLowerCase())) {
      throw new ConflictException(`a task titled "${dto.title}" exists`);
    }
    const task: Task = { id: this.nextId++, title: dto.title, slug: slugify(dto.title), priority: dto.priority ?? 'normal', tags: dto.tags ?? [],
      due: dto.due, done: false, ownerId: dto.ownerId ?? ownerId };
    this.tasks.push(task);
    return task;
  }

  update(id: number, dto: UpdateTaskDto): Task {
    return Object.assign(this.get(id), dto);
  }

  remove(id: number): void {
    const index = this.tasks.findIndex((t) => t.id === id);
    if (index < 0) throw new NotFoundException(`task ${id} not found`);
    this.tasks.splice(index, 1);
  }

  async stats(): Promise<Record<string, number>> {
    await new Promise((done) => setTimeout(done, 5));
    return Object.fromEntries((['low', 'normal', 'high'] as Priority[]).map((p) => [p, this.tasks.filter((t) => t.priority === p).length]));
  }
}
