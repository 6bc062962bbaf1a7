"""Uniqueness of 身份证号 without a table (重复识别): one index aggregate per number.

Its id is a uuid5 of a keyed hash of the number (the fingerprint, made by the ledger's key, so
neither the index nor the log holds the number in clear), saved in the same write as the
member it guards. It says which household's member holds the number while that member is
present; a member who leaves releases it.
"""
from __future__ import annotations

from eventsourcing.domain import event

from ledger.domain.base import LedgerAggregate
from ledger.errors import Conflict


class DuplicateIdNumber(Conflict):
    code = "duplicate_id_number"


class IdNumberClaim(LedgerAggregate):
    KIND = "id_number"

    @staticmethod
    def create_id(fingerprint: str):
        return IdNumberClaim.id_for(fingerprint)

    @event("IdNumberClaimed")
    def __init__(self, fingerprint: str, household_id: str, member_id: str) -> None:
        self.holder: list[str] | None = [household_id, member_id]

    def claim(self, household_id: str, member_id: str, field: str) -> None:
        if self.holder == [household_id, member_id]:
            return
        if self.holder is not None:
            raise DuplicateIdNumber(
                "this id number belongs to a member present in another household"
                if self.holder[0] != household_id else
                f"this id number belongs to member {self.holder[1]} of the same household",
                field=field)
        self._taken(household_id=household_id, member_id=member_id)

    @event("IdNumberTaken")
    def _taken(self, household_id: str, member_id: str) -> None:
        self.holder = [household_id, member_id]

    def release(self, household_id: str, member_id: str) -> None:
        if self.holder == [household_id, member_id]:
            self._released(household_id=household_id, member_id=member_id)

    @event("IdNumberReleased")
    def _released(self, household_id: str, member_id: str) -> None:
        self.holder = None
