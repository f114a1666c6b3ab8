from django.urls import include, path

urlpatterns = [
    path("api/", include("relaydesk.api.urls")),
    path("", include("relaydesk.desk.urls")),
]
