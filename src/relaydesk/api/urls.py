from django.urls import URLPattern, path, re_path

from relaydesk.api.api import api
from relaydesk.api.views import api_root, problem_for_not_allowed, unknown_endpoint

# Not "app_name": include() would read a module attribute of that name.
ninja_patterns, ninja_app, ninja_namespace = api.urls
for pattern in ninja_patterns:
    if not isinstance(pattern, URLPattern):
        continue
    if pattern.name == "api-root":
        # ninja's root view raises Http404, which Django turns into its HTML
        # page. The pattern stays, because ninja finds the API's path by its name.
        pattern.callback = api_root
    else:
        pattern.callback = problem_for_not_allowed(pattern.callback)

urlpatterns = [
    path("", (ninja_patterns, ninja_app, ninja_namespace)),
    # Anything else under /api/ gets a problem response, not the HTML 404 page.
    re_path(r"^.*$", unknown_endpoint),
]
