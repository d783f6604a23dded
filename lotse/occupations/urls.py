from django.urls import path

from lotse.occupations import views

app_name = "occupations"

urlpatterns = [
    path("", views.occupation_list, name="occupation_list"),
    path("autocomplete/<slug:field>/", views.autocomplete, name="autocomplete"),
    path("quellen/", views.sources, name="sources"),
    path("kodieren/", views.code_file, name="code_file"),
    path("kodieren/geprueft/", views.checked_file, name="checked_file"),
    path("gepruefte-titel/", views.checked_titles, name="checked_titles"),
    path(
        "gepruefte-titel/<int:pk>/vergessen/",
        views.forget_checked_title,
        name="forget_checked_title",
    ),
    path("<str:code>/", views.occupation_detail, name="occupation_detail"),
]
