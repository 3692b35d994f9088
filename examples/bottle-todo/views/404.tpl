% rebase('base.tpl', title='Not found')
<h1>Not found</h1>
<p>Nothing lives at <code>{{path}}</code>.</p>
% if message:
<p>{{message}}</p>
% end
