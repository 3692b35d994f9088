from django.urls import path

from . import views

app_name = "blog"
urlpatterns = [
    path("", views.PostListView.as_view(), name="post_list"),
    path("posts/new/", views.post_create, name="post_create"),
    path("posts/<int:pk>/", views.PostDetailView.as_view(), name="post_detail"),
    path("api/posts/", views.api_post_list, name="api_post_list"),
    path("api/posts/<int:pk>/", views.api_post_detail, name="api_post_detail"),
]
