"""Pages of the fibre app (mounted at /fibre/ by config/urls.py) and its REST API (/fibre/api/v1/)."""

from django.urls import path

from .api import api
from .billing import views as billing_views
from .field import dashboard as field_dashboard
from .field import views as field_views
from .work import maintenance_desk
from .work import views as work_views

app_name = "deployments"

urlpatterns = [
    path("", work_views.home, name="home"),
    # Contractor portal
    path("orders/", work_views.orders, name="orders"),
    path("orders/<int:pk>/", field_views.order, name="order"),
    path("orders/<int:pk>/report/", field_views.field_report, name="report"),
    path("rejections/", field_views.rejections, name="rejections"),
    path("statements/", billing_views.statements, name="statements"),
    path("statements/<int:pk>/", billing_views.statement, name="statement"),
    path("statements/<int:pk>/pdf/", billing_views.statement_pdf, name="statement_pdf"),
    path("statements/<int:pk>/ubl/", billing_views.statement_ubl, name="statement_ubl"),
    path("statements/<int:pk>/facturx/", billing_views.statement_facturx, name="statement_facturx"),
    path("statements/<int:pk>/work-statement.pdf", billing_views.work_statement_pdf, name="work_statement_pdf"),
    # Billing manager (operator admin): issue the month's statements, record payments, issue corrections
    path("statements/issue/", billing_views.issue_statements, name="issue_statements"),
    path("statements/<int:pk>/payments/", billing_views.statement_payment, name="statement_payment"),
    path("statements/<int:pk>/corrections/", billing_views.statement_correction, name="statement_correction"),
    path("contracts/<int:pk>/running/", billing_views.running, name="running"),
    path("photos/<int:pk>/", field_views.photo, name="photo"),
    # Inspector
    path("inspections/", field_views.inspections, name="inspections"),
    path("inspections/<int:pk>/accept/", field_views.inspection_accept, name="inspection_accept"),
    path("inspections/<int:pk>/reject/", field_views.inspection_reject, name="inspection_reject"),
    # Operator
    path("import/", work_views.import_orders, name="import"),
    path("dashboard/", field_dashboard.dashboard, name="dashboard"),
    path("dashboard/scorecards/", field_dashboard.scorecards, name="scorecards"),
    path("dashboard/payments/", billing_views.payment_delays, name="payment_delays"),
    # Offline support: the service worker must be served from /fibre/ to control the pages under it.
    path("sw.js", field_views.service_worker, name="service_worker"),
    path("offline/", field_views.offline, name="offline"),
    # Service centre: a fault request about a fibre line sent to maintenance (the panel's form posts here)
    path("maintenance/<str:reference>/", maintenance_desk.open_maintenance, name="maintenance_open"),
    path("api/v1/", api.urls),
]
