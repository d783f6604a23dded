from django.urls import path

from lotse.network import views

app_name = "network"

urlpatterns = [
    path("networks/", views.network_list, name="network_list"),
    path("networks/<slug:slug>/", views.network_detail, name="network_detail"),
    path(
        "networks/<slug:slug>/action-fields/<int:number>/",
        views.action_field_detail,
        name="action_field_detail",
    ),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
]
