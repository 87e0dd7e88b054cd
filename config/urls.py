from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from bawaba.core import views as core_views
from bawaba.notifications import views as notification_views

handler400 = "bawaba.core.views.bad_request"
handler403 = "bawaba.core.views.permission_denied"
handler404 = "bawaba.core.views.not_found"
handler500 = "bawaba.core.views.server_error"

urlpatterns = [
    path("", include("bawaba.portal.urls")),
    path("desk/", include("bawaba.desk.urls")),
    path("kb/", include("bawaba.knowledge.urls")),
    path("fibre/", include("bawaba.deployments.urls")),
    path("post/", include("bawaba.postal.urls")),
    path("mail/", include("bawaba.hybridmail.urls")),
    path("", include("bawaba.ops.urls")),
    path("lifeproof/verify/", include("bawaba.lifeproof.urls_verify")),
    path("lifeproof/", include("bawaba.lifeproof.urls")),
    path("v/", include("bawaba.lifeproof.urls_public")),
    path("api/", include("bawaba.api.urls")),
    path("channels/", include("bawaba.channels.urls")),
    path("notifications/", include("bawaba.notifications.urls")),
    path("s/<str:code>", notification_views.short_link, name="short-link"),
    path("geo/", include("bawaba.geo.urls")),
    path("evidence/", include("bawaba.evidence.urls")),
    path("voice/", include("bawaba.voice.urls")),  # telephony (bawaba.voice)
    path("privacy/", include("bawaba.privacy.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("home/", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    # --- tmf-open311: standard interfaces (docs/standards.md)
    path("tmf-api/troubleTicket/v4/", include("bawaba.tmf621.urls")),
    path("open311/v2/", include("bawaba.open311.urls")),
    # --- end tmf-open311
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
