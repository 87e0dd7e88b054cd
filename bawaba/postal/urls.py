from bawaba.postal.views import AREAS

app_name = "postal"
urlpatterns = [pattern for area in AREAS for pattern in area.urlpatterns]
