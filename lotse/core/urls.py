from django.urls import path

from lotse.core import views

app_name = "core"

urlpatterns = [
    path("about/", views.about, name="about"),
    path("audit/", views.audit_log, name="audit_log"),
]
