"""The site's URLs with the audit pages at /staff/audit/, wherever the root mounts them."""

from django.urls import include, path

from zhili import urls as root

urlpatterns = list(root.urlpatterns)
if not any(getattr(p, "namespace", None) == "audit" for p in urlpatterns):
    urlpatterns.insert(0, path("staff/audit/", include("zhili.audit.urls")))
