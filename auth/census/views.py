"""Turning census, residence and desk results into the API's public schemas."""

from __future__ import annotations

from auth.census.desk import DeskAccount
from auth.census.models import CensusImport
from auth.census.residence import Residence
from auth.census.schemas import CensusReport, DeskAccountPublic, RejectedRow, ResidencePublic
from auth.census.service import ImportReport

__all__ = ["report_public", "stored_report_public", "residence_public", "desk_public"]


def report_public(report: ImportReport) -> CensusReport:
    return CensusReport(import_id=report.import_id, imported_at=report.imported_at, imported_by=report.imported_by,
                        rows_read=report.rows_read, rows_stored=report.rows_stored, rows_rejected=len(report.rejected),
                        rejected=[RejectedRow(line=p.line, reason=p.reason) for p in report.rejected],
                        accounts_verified=report.accounts_verified, accounts_updated=report.accounts_updated)


def stored_report_public(run: CensusImport) -> CensusReport:
    assert run.id is not None and run.imported_at is not None
    return CensusReport(import_id=run.id, imported_at=run.imported_at, imported_by=run.imported_by,
                        rows_read=run.rows_read, rows_stored=run.rows_stored, rows_rejected=run.rows_rejected,
                        rejected=[RejectedRow(**row) for row in run.rejected],
                        accounts_verified=run.accounts_verified, accounts_updated=run.accounts_updated)


def residence_public(residence: Residence) -> ResidencePublic:
    return ResidencePublic(verified=residence.verified, verified_how=residence.verified_how,
                           verified_at=residence.verified_at, email_confirmed=residence.email_confirmed,
                           neighbourhood=residence.neighbourhood.slug if residence.neighbourhood else None,
                           birth_date=residence.birth_date, age=residence.age, tries_left=residence.tries_left)


def desk_public(view: DeskAccount) -> DeskAccountPublic:
    return DeskAccountPublic(id=view.id, email=view.email, display_name=view.display_name,
                             email_confirmed=view.email_confirmed,
                             neighbourhood=view.neighbourhood.slug if view.neighbourhood else None,
                             birth_date=view.birth_date, age=view.age, verified_how=view.verified_how,
                             verified_at=view.verified_at)
