export enum Genre {
  Fiction = 'fiction',
  Science = 'science',
  Poetry = 'poetry',
}

export interface Book {
  id: number;
  title: string;
  year: number;
  genre: Genre;
}

export interface NewBook {
  title: string;
  year: number;
  genre?: Genre;
}

/** The catalogue, in memory; the constructor's parameter property is TypeScript-only syntax. */
export class Catalogue {
  private nextId: number;

  constructor(private readonly books: Book[]) {
    this.nextId = books.length + 1;
  }

  list(genre?: Genre): Book[] {
    return genre ? this.books.filter((b) => b.genre === genre) : this.books;
  }

  find(id: number): Book | undefined {
    return this.books.find((b) => b.id === id);
  }

  add({ title, year, genre = Genre.Fiction }: NewBook): Book {
    const book: Book = { id: this.nextId++, title, year, genre };
    this.books.push(book);
    return book;
  }
}

export const isGenre = (value: unknown): value is Genre => Object.values(Genre).includes(value as Genre);
