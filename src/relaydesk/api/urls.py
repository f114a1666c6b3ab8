from django.urls import path, re_path

from relaydesk.api.api import api
from relaydesk.api.views import unknown_endpoint

urlpatterns = [
    path("", api.urls),
    # Anything else under /api/ gets a problem response, not the HTML 404 page.
    re_path(r"^.*$", unknown_endpoint),
]
