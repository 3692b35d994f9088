import express, { type NextFunction, type Request, type Response } from 'express';
import { Catalogue, Genre, isGenre, type NewBook } from './books.js';
import { slug } from './util/slug.mjs';
import banner from './util/legacy.cjs';

const catalogue = new Catalogue([
  { id: 1, title: 'The Left Hand of Darkness', year: 1969, genre: Genre.Fiction },
  { id: 2, title: 'A Brief History of Time', year: 1988, genre: Genre.Science },
  { id: 3, title: 'Ariel', year: 1965, genre: Genre.Poetry },
]);

const app = express();
app.use(express.json());

app.get('/', (_req: Request, res: Response) => {
  res.json({ service: banner('books'), genres: Object.values(Genre) });
});

app.get('/books', (req: Request<{}, unknown, unknown, { genre?: string }>, res: Response) => {
  const { genre } = req.query;
  if (genre !== undefined && !isGenre(genre)) {
    res.status(400).json({ error: `unknown genre ${genre}` });
    return;
  }
  res.json(catalogue.list(genre).map((b) => ({ ...b, slug: slug(b.title) })));
});

app.get('/books/:id', (req: Request<{ id: string }>, res: Response) => {
  const book = catalogue.find(Number(req.params.id));
  if (!book) {
    res.status(404).json({ error: 'no such book' });
    return;
  }
  res.json(book);
});

app.post('/books', (req: Request<{}, unknown, Partial<NewBook>>, res: Response) => {
  const { title, year, genre } = req.body ?? {};
  if (typeof title !== 'string' || typeof year !== 'number' || (genre !== undefined && !isGenre(genre))) {
    res.status(400).json({ error: 'title (string), year (number) and an optional genre are required' });
    return;
  }
  res.status(201).json(catalogue.add({ title, year, genre }));
});

app.get('/boom', () => {
  throw new Error('boom');
});

app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
  res.status(500).json({ error: error.message });
});

const port = Number(process.env.PORT ?? 3000);
app.listen(port);
