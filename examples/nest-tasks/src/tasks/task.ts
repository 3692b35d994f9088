export type Priority = 'low' | 'normal' | 'high';

export interface Task {
  id: number;
  title: string;
  slug: string;
  priority: Priority;
  tags: string[];
  due?: string;
  done: boolean;
  ownerId: number;
}
