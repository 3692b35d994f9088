% rebase('base.tpl', title='Todos')
<h1>My todos ({{len(todos)}})</h1>
<p>
% for name in ("all", "open", "done"):
  % if name == show:
  <strong>{{name}}</strong>
  % else:
  <a href="/?show={{name}}">{{name}}</a>
  % end
% end
</p>
<ul>
% for todo in todos:
  <li class="{{'done' if todo['done'] else 'open'}}">#{{todo['id']}} {{todo['title']}}</li>
% end
</ul>
% if not todos:
<p>Nothing here.</p>
% end
<form method="post" action="/add">
  <input name="title" placeholder="What needs doing?">
  <button type="submit">Add</button>
</form>
