from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from relaydesk.accounts.admin_site import site as admin_site

urlpatterns = [
    path("admin/", admin_site.urls),
    path("api/", include("relaydesk.api.urls")),
    # Browsers ask for /favicon.ico on pages without an icon link, such as the admin's.
    path(
        "favicon.ico",
        RedirectView.as_view(url=static("desk/favicon.svg"), permanent=True),
    ),
    path("", include("relaydesk.desk.urls")),
]
