"""URL list of the print part of hybrid mail (included by urls.py): print centres and the operator's manager."""

from django.urls import path

from . import views_print, views_supervisor

urlpatterns = [
    path("print/", views_print.print_home, name="print-home"),
    path("print/report-file/", views_print.report_file, name="print-report-file"),
    path("print/runs/<str:number>/", views_print.run_detail, name="print-run"),
    path("print/runs/<str:number>/pdf/", views_print.run_pdf, name="print-run-pdf"),
    path("print/runs/<str:number>/manifest.<str:fmt>", views_print.run_manifest, name="print-run-manifest"),
    path("print/api/v1/reports", views_print.api_reports, name="print-api-reports"),
    path("supervisor/", views_supervisor.supervisor_home, name="supervisor-home"),
    path("supervisor/build-runs/", views_supervisor.supervisor_build_runs, name="supervisor-build-runs"),
    path("supervisor/reconcile/", views_supervisor.supervisor_reconcile, name="supervisor-reconcile"),
]
