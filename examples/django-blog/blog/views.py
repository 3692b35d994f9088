from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views import generic
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from .forms import PostForm
from .models import Post


class PostListView(generic.ListView):
    model = Post
    context_object_name = "posts"


class PostDetailView(generic.DetailView):
    model = Post
    context_object_name = "post"


# This demo form posts without a CSRF token so that it can be driven by plain
# HTTP clients; a real site would drop @csrf_exempt and add {% csrf_token %}.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def post_create(request):
    if request.method == "POST":
        form = PostForm(request.POST)
        if form.is_valid():
            post = form.save()
            return redirect(post)
        status = 400
    else:
        form = PostForm()
        status = 200
    return render(request, "blog/post_form.html", {"form": form}, status=status)


def serialize(post):
    return {"id": post.pk, "title": post.title, "body": post.body, "url": post.get_absolute_url()}


@require_GET
def api_post_list(request):
    posts = [serialize(post) for post in Post.objects.all()]
    return JsonResponse({"count": len(posts), "posts": posts})


@require_GET
def api_post_detail(request, pk):
    try:
        post = Post.objects.get(pk=pk)
    except Post.DoesNotExist:
        return JsonResponse({"error": "not found", "id": pk}, status=404)
    return JsonResponse(serialize(post))
