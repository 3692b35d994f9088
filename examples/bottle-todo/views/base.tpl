<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{{title or 'Todos'}}</title>
</head>
<body>
  <header><a href="/">Todos</a></header>
  <main>
{{!base}}
  </main>
</body>
</html>
