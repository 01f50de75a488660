"""Pages without login: the district's public goals page and feedback links."""

app_name = "public"

urlpatterns = []
