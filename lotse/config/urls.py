from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView

from lotse.config.api import router
from lotse.network.views import home

admin.site.site_header = _("Lotse administration")
admin.site.site_title = _("Lotse administration")
admin.site.index_title = _("Data of the networks")

urlpatterns = [
    path("", home, name="home"),
    path("", include("lotse.core.urls")),
    path("", include("lotse.network.urls")),
    path("accounts/", include("lotse.accounts.urls")),
    path("offers/", include("lotse.offers.urls")),
    path("berufe/", include("lotse.occupations.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(router.urls)),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
]
