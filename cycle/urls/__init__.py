"""The cycle's URLs below /d/<district>/ (members only), assembled from one module per part.
Public URLs (no login) are in cycle.urls.public, under their own namespace."""

from cycle.urls import (
    approval,
    communication,
    drafting,
    exports,
    implementation,
    inventory,
    monitoring,
    revision,
    stages,
)

app_name = "cycle"

urlpatterns = [
    *stages.urlpatterns,
    *drafting.urlpatterns,
    *approval.urlpatterns,
    *communication.urlpatterns,
    *implementation.urlpatterns,
    *monitoring.urlpatterns,
    *inventory.urlpatterns,
    *exports.urlpatterns,
    *revision.urlpatterns,
]
