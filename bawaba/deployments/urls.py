"""Pages of the fibre app (mounted at /fibre/ by config/urls.py) and its REST API (/fibre/api/v1/)."""

from django.urls import path

from . import maintenance_desk, views
from .api import api

app_name = "deployments"

urlpatterns = [
    path("", views.home, name="home"),
    # Contractor portal
    path("orders/", views.orders, name="orders"),
    path("orders/<int:pk>/", views.order, name="order"),
    path("orders/<int:pk>/report/", views.field_report, name="report"),
    path("rejections/", views.rejections, name="rejections"),
    path("statements/", views.statements, name="statements"),
    path("statements/<int:pk>/", views.statement, name="statement"),
    path("statements/<int:pk>/pdf/", views.statement_pdf, name="statement_pdf"),
    path("statements/<int:pk>/ubl/", views.statement_ubl, name="statement_ubl"),
    path("statements/<int:pk>/facturx/", views.statement_facturx, name="statement_facturx"),
    path("statements/<int:pk>/work-statement.pdf", views.work_statement_pdf, name="work_statement_pdf"),
    # Billing manager (operator admin): issue the month's statements, record payments, issue corrections
    path("statements/issue/", views.issue_statements, name="issue_statements"),
    path("statements/<int:pk>/payments/", views.statement_payment, name="statement_payment"),
    path("statements/<int:pk>/corrections/", views.statement_correction, name="statement_correction"),
    path("contracts/<int:pk>/running/", views.running, name="running"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    # Inspector
    path("inspections/", views.inspections, name="inspections"),
    path("inspections/<int:pk>/accept/", views.inspection_accept, name="inspection_accept"),
    path("inspections/<int:pk>/reject/", views.inspection_reject, name="inspection_reject"),
    # Operator
    path("import/", views.import_orders, name="import"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/scorecards/", views.scorecards, name="scorecards"),
    path("dashboard/payments/", views.payment_delays, name="payment_delays"),
    # Offline support: the service worker must be served from /fibre/ to control the pages under it.
    path("sw.js", views.service_worker, name="service_worker"),
    path("offline/", views.offline, name="offline"),
    # Service centre: a fault request about a fibre line sent to maintenance (the panel's form posts here)
    path("maintenance/<str:reference>/", maintenance_desk.open_maintenance, name="maintenance_open"),
    path("api/v1/", api.urls),
]
