from django.urls import include, path

from relaydesk.accounts.admin_site import site as admin_site

urlpatterns = [
    path("admin/", admin_site.urls),
    path("api/", include("relaydesk.api.urls")),
    path("", include("relaydesk.desk.urls")),
]
