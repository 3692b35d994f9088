import {
  Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseIntPipe, Patch, Post, Query, Res, UseGuards,
} from '@nestjs/common';
import type { Response } from 'express';
import { CurrentUser, Roles, RolesGuard } from '../common/roles';
import { User } from '../users/user.entity';
import { CreateTaskDto } from './dto/create-task.dto';
import { ListTasksQuery } from './dto/list-tasks.query';
import { UpdateTaskDto } from './dto/update-task.dto';
import { Task } from './task';
import { TasksService } from './tasks.service';

@Controller('tasks')
@UseGuards(RolesGuard)
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Get()
  list(@Query() query: ListTasksQuery): Task[] {
    return this.tasks.list(query);
  }

  @Get('stats')
  stats(): Promise<Record<string, number>> {
    return this.tasks.stats();
  }

  @Get('export.csv')
  export(@Res() res: Response): void {
    const rows = this.tasks.list({ limit: 50 }).map((t) => [t.id, JSON.stringify(t.title), t.priority, t.done].join(','));
    res.type('text/csv').attachment('tasks.csv').send(['id,title,priority,done', ...rows].join('\n') + '\n');
  }

  @Get(':id')
  get(@Param('id', ParseIntPipe) id: number): Task {
    return this.tasks.get(id);
  }

  @Post()
  @Roles('admin', 'member')
  create(@Body() dto: CreateTaskDto, @CurrentUser() user: User): Task {
    return this.tasks.create(dto, user.id);
  }

  @Patch(':id')
  @Roles('admin', 'member')
  update(@Param('id', ParseIntPipe) id: number, @Body() dto: UpdateTaskDto): Task {
    return this.tasks.update(id, dto);
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(HttpStatus.NO_CONTENT)
  remove(@Param('id', ParseIntPipe) id: number): void {
    this.tasks.remove(id);
  }
}
