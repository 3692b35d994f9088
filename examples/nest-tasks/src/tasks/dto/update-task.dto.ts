import { IsBoolean, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import type { Priority } from '../task';

export class UpdateTaskDto {
  @IsOptional()
  @IsString()
  @MaxLength(80)
  title?: string;

  @IsOptional()
  @IsIn(['low', 'normal', 'high'])
  priority?: Priority;

  @IsOptional()
  @IsBoolean()
  done?: boolean;
}
