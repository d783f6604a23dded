from django.urls import path

from lotse.offers import import_views, views

app_name = "offers"

urlpatterns = [
    path("", views.offer_list, name="offer_list"),
    path("finder/", views.finder, name="finder"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("feed/", views.OfferFeed(), name="feed"),
    path("import/", import_views.offer_import, name="offer_import"),
    path("<slug:slug>/", views.offer_detail, name="offer_detail"),
]
